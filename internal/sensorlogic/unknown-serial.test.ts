import { describe, expect, it } from 'vitest';
import { DELIVERY_LIMIT } from '../routing/index.js';
import { unknownSerialOutcome } from './unknown-serial.js';

describe('unknownSerialOutcome', () => {
  const now = 1_000_000;
  it.each([
    [0, { kind: 'requeue', delayMs: 500 }],
    [4_000, { kind: 'requeue', delayMs: 2_000 }],
    [40_000, { kind: 'requeue', delayMs: 10_000 }],
    [
      60_000,
      {
        kind: 'dead-letter',
        reason: 'unknown serial X-1: not enrolled within 60 s',
        cause: 'unknown serial',
      },
    ],
  ])('after %d ms of waiting → %o', (waited, outcome) => {
    expect(unknownSerialOutcome('X-1', now - waited, 60_000, now)).toEqual(outcome);
  });

  it('a device clock ahead of ours counts as no wait', () => {
    expect(unknownSerialOutcome('X-1', now + 5_000, 60_000, now)).toEqual({
      kind: 'requeue',
      delayMs: 500,
    });
  });
});

it("reaches a 60 s timeout in fewer deliveries than the queues' delivery limit", () => {
  let waited = 0;
  let deliveries = 0;
  for (;;) {
    deliveries++;
    const outcome = unknownSerialOutcome('X-1', 0, 60_000, waited);
    if (outcome.kind !== 'requeue') break;
    waited += outcome.delayMs;
  }
  expect(deliveries).toBeLessThan(DELIVERY_LIMIT);
});
