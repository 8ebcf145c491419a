import { describe, expect, it } from 'vitest';
import type { Command, CommandAction } from '../../internal/routing/index.js';
import { decide, describeAction, sampleRateProblem } from './command-decision.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

function command(action: CommandAction, expiresAtMs = NOW + 60_000): Command {
  return { schemaVersion: 1, id: 'c-1', issuedAtMs: NOW - 1000, expiresAtMs, action };
}

const context = { nowMs: NOW, batchIntervalMs: 1000, accepting: true };
const rate = (hz: number): CommandAction => ({ type: 'set_sample_frequency', hz });

describe('decide', () => {
  it.each<[string, Command, Partial<typeof context>, ReturnType<typeof decide>]>([
    ['sleep', command({ type: 'sleep' }), {}, { outcome: 'apply', action: { type: 'sleep' } }],
    ['awake', command({ type: 'awake' }), {}, { outcome: 'apply', action: { type: 'awake' } }],
    ['a valid rate', command(rate(200)), {}, { outcome: 'apply', action: rate(200) }],
    [
      'expiring this very millisecond',
      command({ type: 'sleep' }, NOW),
      {},
      { outcome: 'apply', action: { type: 'sleep' } },
    ],
    [
      'expired a millisecond ago',
      command({ type: 'sleep' }, NOW - 1),
      {},
      {
        outcome: 'expired',
        reason: 'expired at 2026-11-22T11:59:59.999Z before the device received it',
      },
    ],
    [
      'expired and invalid: expiry is checked first',
      command(rate(333.3), NOW - 1),
      {},
      expect.objectContaining({ outcome: 'expired' }),
    ],
    [
      'an impossible rate',
      command(rate(333.3)),
      {},
      {
        outcome: 'rejected',
        reason:
          '333.3 Hz is not an output data rate of this sensor: a 1000 ms batch would hold ' +
          '333.3 samples, not a whole number',
      },
    ],
    [
      'anything while powering off',
      command({ type: 'awake' }),
      { accepting: false },
      { outcome: 'rejected', reason: 'the sensor is powering off' },
    ],
  ])('%s', (_name, cmd, overrides, expected) => {
    expect(decide(cmd, { ...context, ...overrides })).toEqual(expected);
  });
});

describe('sampleRateProblem', () => {
  it.each([
    [1000, 1000],
    [200, 100],
    [25_600, 1000],
    [1, 1000],
    [12.5, 80], // 1 sample: fractional rates are fine when a batch holds whole samples
    [0.1 * 3 * 1000, 10], // 300.00000000000006 Hz: float noise is not a fractional sample
  ])('%d Hz with %d ms batches is fine', (hz, intervalMs) => {
    expect(sampleRateProblem(hz, intervalMs)).toBeUndefined();
  });

  it.each([
    [Number.NaN, 1000, 'NaN Hz is not a sample rate'],
    [Number.POSITIVE_INFINITY, 1000, 'Infinity Hz is not a sample rate'],
    [0, 1000, '0 Hz is outside 1-25600 Hz'],
    [-200, 1000, '-200 Hz is outside 1-25600 Hz'],
    [25_601, 1000, '25601 Hz is outside 1-25600 Hz'],
    [
      333.3,
      1000,
      '333.3 Hz is not an output data rate of this sensor: a 1000 ms batch would hold 333.3 ' +
        'samples, not a whole number',
    ],
    [
      5,
      100,
      '5 Hz is not an output data rate of this sensor: a 100 ms batch would hold 0.5 ' +
        'samples, not a whole number',
    ],
    [25_600, 5000, '25600 Hz makes 5000 ms batches of more than 51200 samples'],
  ])('%d Hz with %d ms batches: %s', (hz, intervalMs, reason) => {
    expect(sampleRateProblem(hz, intervalMs)).toBe(reason);
  });
});

describe('describeAction', () => {
  it.each<[CommandAction, string]>([
    [{ type: 'sleep' }, 'sleep'],
    [{ type: 'awake' }, 'awake'],
    [rate(200), 'set_sample_frequency 200 Hz'],
  ])('%j → %s', (action, text) => {
    expect(describeAction(action)).toBe(text);
  });
});
