import { describe, expect, it } from 'vitest';
import {
  copyHeader,
  copyTrailer,
  encodeBatchRows,
  microsToIso,
  sampleTimeUs,
} from './binary-copy.js';

describe('binary COPY encoding', () => {
  it('writes the header and trailer PostgreSQL expects', () => {
    expect(copyHeader().toString('hex')).toBe('5047434f50590aff0d0a00' + '00000000' + '00000000');
    expect(copyTrailer().toString('hex')).toBe('ffff');
  });

  it('encodes one row per value: 3 fields, PostgreSQL-epoch microseconds, id, float8', () => {
    const startTimeUs = Date.UTC(2026, 0, 1) * 1000;
    const rows = encodeBatchRows(42, {
      schemaVersion: 1,
      serial: 'A1',
      sequence: 1,
      startTimeUs,
      sampleRateHz: 1000,
      values: [1.5, -2],
      publishedAtMs: 0,
    });
    expect(rows.length).toBe(2 * 38);
    expect(rows.readInt16BE(0)).toBe(3);
    expect(rows.readBigInt64BE(6)).toBe(BigInt(startTimeUs) - 946_684_800_000_000n);
    expect(rows.readBigInt64BE(18)).toBe(42n);
    expect(rows.readDoubleBE(30)).toBe(1.5);
    expect(rows.readBigInt64BE(38 + 6)).toBe(BigInt(startTimeUs + 1000) - 946_684_800_000_000n);
    expect(rows.readDoubleBE(38 + 30)).toBe(-2);
  });

  it.each([
    [1000, 1, 1000],
    [200, 3, 15_000],
    [25_600, 1, 39],
    [25_600, 256, 10_000],
    [3, 1, 333_333],
  ])('at %d Hz sample %d is %d µs after the start', (rate, index, offset) => {
    expect(sampleTimeUs(1_000_000, index, rate)).toBe(1_000_000 + offset);
  });

  it('formats microseconds exactly', () => {
    expect(microsToIso(Date.UTC(2026, 10, 22) * 1000 + 123_456)).toBe(
      '2026-11-22T00:00:00.123456Z',
    );
    expect(microsToIso(Date.UTC(2026, 10, 22) * 1000 + 7)).toBe('2026-11-22T00:00:00.000007Z');
  });
});
