import { describe, expect, it } from 'vitest';
import { bucketDelta, bucketMax, bucketQuantile, rate, type Snapshot } from './ingest-metrics.js';

const snap = (atMs: number, samples: number, counts: number[]): Snapshot => ({
  atMs,
  samples,
  buckets: [0.01, 0.05, 0.1, Infinity].map((le, i) => ({ le, count: counts[i] ?? 0 })),
});

describe('ingest metrics', () => {
  const a = snap(0, 100, [1, 2, 3, 3]);
  const b = snap(2000, 2100, [1, 90, 102, 103]);

  it('rates samples between snapshots', () => expect(rate(a, b)).toBe(1000));

  it.each([
    [0.5, 0.05],
    [0.88, 0.05],
    [0.99, 0.1],
    [1, Infinity],
  ])('quantile %f of the window is the bucket bound %f', (q, le) => {
    expect(bucketQuantile(bucketDelta(a, b), q)).toBe(le);
  });

  it('takes the highest occupied bucket as the maximum', () => {
    expect(bucketMax(bucketDelta(a, b))).toBe(Infinity);
    expect(bucketMax(bucketDelta(a, snap(1000, 100, [1, 5, 3, 3])))).toBe(0.05);
  });

  it('has no quantile without observations', () => {
    expect(bucketQuantile(bucketDelta(a, a), 0.99)).toBeUndefined();
  });
});
