import { describe, expect, it } from 'vitest';
import { copyHeader, copyTrailer, encodeBlockRow } from './block-copy.js';

const PG_EPOCH_OFFSET_US = 946_684_800_000_000n;

describe('binary COPY encoding of a block', () => {
  it('writes the header and trailer PostgreSQL expects', () => {
    expect(copyHeader().toString('hex')).toBe('5047434f50590aff0d0a00' + '00000000' + '00000000');
    expect(copyTrailer().toString('hex')).toBe('ffff');
  });

  it('encodes 9 fields: id, start, end, rate, sequence, count, min, max and a float4 array', () => {
    const startTimeUs = Date.UTC(2026, 0, 1) * 1000;
    const row = encodeBlockRow(42, {
      schemaVersion: 1,
      serial: 'A1',
      sequence: 7,
      startTimeUs,
      sampleRateHz: 3,
      values: [1.5, -2, 0.1],
      publishedAtMs: 0,
    });
    const fields: Buffer[] = [];
    expect(row.readInt16BE(0)).toBe(9);
    for (let at = 2; at < row.length;) {
      const length = row.readInt32BE(at);
      fields.push(row.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    expect(fields.map((f) => f.length)).toEqual([8, 8, 8, 8, 8, 4, 4, 4, 20 + 3 * 8]);
    const [id, start, end, rate, sequence, count, low, high, samples] = fields as [
      Buffer,
      Buffer,
      Buffer,
      Buffer,
      Buffer,
      Buffer,
      Buffer,
      Buffer,
      Buffer,
    ];
    expect(id.readBigInt64BE()).toBe(42n);
    expect(start.readBigInt64BE()).toBe(BigInt(startTimeUs) - PG_EPOCH_OFFSET_US);
    // Three samples at 3 Hz: the next one would lie exactly 1 s after the start.
    expect(end.readBigInt64BE()).toBe(BigInt(startTimeUs + 1_000_000) - PG_EPOCH_OFFSET_US);
    expect(rate.readDoubleBE()).toBe(3);
    expect(sequence.readBigInt64BE()).toBe(7n);
    expect(count.readInt32BE()).toBe(3);
    expect([low.readFloatBE(), high.readFloatBE()]).toEqual([-2, 1.5]);
    // ndim 1, no nulls, float4 (oid 700), 3 elements from index 1, then length-prefixed floats.
    expect([0, 4, 8, 12, 16].map((o) => samples.readInt32BE(o))).toEqual([1, 0, 700, 3, 1]);
    expect([samples.readInt32BE(20), samples.readFloatBE(24)]).toEqual([4, 1.5]);
    expect([samples.readInt32BE(28), samples.readFloatBE(32)]).toEqual([4, -2]);
    // 0.1 is stored as the float4 nearest to it, and read back as that.
    expect([samples.readInt32BE(36), samples.readFloatBE(40)]).toEqual([4, Math.fround(0.1)]);
  });
});
