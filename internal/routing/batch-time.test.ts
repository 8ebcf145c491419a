import { describe, expect, it } from 'vitest';
import { batchEndUs, sampleTimeUs } from './batch-time.js';

describe('sample times of a batch', () => {
  it.each([
    [1000, 1, 1000],
    [200, 3, 15_000],
    [25_600, 1, 39],
    [25_600, 256, 10_000],
    [3, 1, 333_333],
    [3, 2, 666_667],
  ])('at %d Hz sample %d is %d µs after the start', (rate, index, offset) => {
    expect(sampleTimeUs(1_000_000, index, rate)).toBe(1_000_000 + offset);
  });

  it('ends a batch where its next sample would lie', () => {
    expect(batchEndUs({ startTimeUs: 5, sampleRateHz: 1000, values: [0, 0, 0] })).toBe(3005);
  });
});
