import { describe, expect, it } from 'vitest';
import { unknownSerialOutcome } from './unknown-serial.js';

describe('unknownSerialOutcome', () => {
  const now = 1_000_000;
  it.each([
    [0, { kind: 'requeue', delayMs: 250 }],
    [4_000, { kind: 'requeue', delayMs: 1_000 }],
    [40_000, { kind: 'requeue', delayMs: 5_000 }],
    [60_000, { kind: 'dead-letter', reason: 'unknown serial X-1: not enrolled within 60 s' }],
  ])('after %d ms of waiting → %o', (waited, outcome) => {
    expect(unknownSerialOutcome('X-1', now - waited, 60_000, now)).toEqual(outcome);
  });

  it('a device clock ahead of ours counts as no wait', () => {
    expect(unknownSerialOutcome('X-1', now + 5_000, 60_000, now)).toEqual({
      kind: 'requeue',
      delayMs: 250,
    });
  });
});
