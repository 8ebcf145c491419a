import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['7d', 7 * 86_400_000],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
    [' 60s ', 60_000],
  ])('%j is %d ms', (raw, ms) => expect(parseDuration(raw)).toBe(ms));

  it.each(['', '60', 's', '5 m', '1h 30m', '-1s', '2w', '5 sec', 'soon', '1h30'])(
    '%j is not a duration',
    (raw) => expect(parseDuration(raw)).toBeUndefined(),
  );

  it('reads a bare number as ms only when asked', () => {
    expect(parseDuration('1500', { bareNumberIsMs: true })).toBe(1_500);
    expect(parseDuration('1500')).toBeUndefined();
  });

  it('takes only the units it is given', () => {
    expect(parseDuration('1d', { units: ['ms', 's', 'm', 'h'] })).toBeUndefined();
    expect(parseDuration('1h30m', { units: ['ms', 's', 'm', 'h'] })).toBe(5_400_000);
  });
});
