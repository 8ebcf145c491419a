import { describe, expect, it } from 'vitest';
import {
  formatDurationMs,
  parseDurationMs,
  parseExpiresIn,
  parseHz,
  parseSerial,
  positiveInteger,
} from './arguments.js';

describe('HZ', () => {
  it.each([
    ['1', 1],
    ['200', 200],
    ['333.5', 333.5],
    ['25600', 25_600],
  ])('%s is %d', (raw, hz) => expect(parseHz(raw)).toBe(hz));

  it.each(['0', '0.5', '25601', '-5', 'abc', '', '1e3', '10Hz', 'NaN', 'Infinity'])(
    '%j is refused',
    (raw) => expect(() => parseHz(raw)).toThrow('Must be a number of Hz, 1-25600.'),
  );
});

describe('serials', () => {
  it.each(['AAD-1123', 'A', 'x'.repeat(32)])('%s is a serial', (s) =>
    expect(parseSerial(s)).toBe(s),
  );
  it.each(['1234', '', 'x'.repeat(33), 'AAD 1', 'AAD/1', '../etc'])('%j is not', (s) =>
    expect(() => parseSerial(s)).toThrow(/serial number/),
  );
});

describe('durations', () => {
  it.each([
    ['60s', 60_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2m30s', 150_000],
  ])('%s is %d ms', (raw, ms) => expect(parseDurationMs(raw)).toBe(ms));

  it.each(['', '60', 's', '5 m', '1d', '1h 30m', '-1s', 'soon'])('%j is refused', (raw) =>
    expect(() => parseDurationMs(raw)).toThrow(/Must be a duration/),
  );

  it.each([
    ['1s', 1],
    ['5m', 300],
    ['24h', 86_400],
  ])('--expires-in %s is %d s', (raw, s) => expect(parseExpiresIn(raw)).toBe(s));

  it.each(['500ms', '1500ms', '25h', '0s'])('--expires-in %s is refused', (raw) =>
    expect(() => parseExpiresIn(raw)).toThrow(/whole seconds between 1s and 24h/),
  );

  it.each([
    [500, '500ms'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [5_000, '5s'],
  ])('%d ms reads %s', (ms, text) => expect(formatDurationMs(ms)).toBe(text));
});

describe('counts', () => {
  const limit = positiveInteger(1000);
  it('accepts 1..max', () => expect([limit('1'), limit('1000')]).toEqual([1, 1000]));
  it.each(['0', '1001', '1.5', 'ten', ''])('%j is refused', (raw) =>
    expect(() => limit(raw)).toThrow('Must be a whole number, 1-1000.'),
  );
});
