// What the ingesters (or the analytics replicas) say on /metrics, summed over replicas:
// samples committed and the publish→commit (or publish→features) latency histogram. A quantile over a window is read from the difference of
// two scrapes' cumulative buckets, so it is bucketed: "p99 ≤ 25 ms", never finer.
import { parseMetrics } from '../utils/start/status.js';

/** Which counter and histogram a scrape reads: the ingesters' by default. */
export interface MetricNames {
  samples: string;
  latency: string;
}
export const INGEST_METRICS: MetricNames = {
  samples: 'iot_ingest_samples_total',
  latency: 'iot_ingest_latency_seconds',
};
export const ANALYTICS_METRICS: MetricNames = {
  samples: 'iot_analytics_samples_total',
  latency: 'iot_analytics_latency_seconds',
};

export interface Bucket {
  /** Upper bound in seconds (Infinity for +Inf). */
  le: number;
  /** Cumulative count. */
  count: number;
}

export interface Snapshot {
  atMs: number;
  samples: number;
  buckets: Bucket[];
}

/** One scrape of every replica, summed; a replica that does not answer counts nothing. */
export async function scrapeIngesters(
  ports: readonly number[],
  names: MetricNames = INGEST_METRICS,
): Promise<Snapshot> {
  const atMs = Date.now();
  const texts = await Promise.all(
    ports.map(async (port) => {
      try {
        return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      } catch {
        return '';
      }
    }),
  );
  let samples = 0;
  const byLe = new Map<number, number>();
  for (const text of texts) {
    for (const s of parseMetrics(text)) {
      if (s.name === names.samples) samples += s.value;
      if (s.name === `${names.latency}_bucket`) {
        const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
        byLe.set(le, (byLe.get(le) ?? 0) + s.value);
      }
    }
  }
  const buckets = [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  return { atMs, samples, buckets };
}

/** The buckets of what happened between two snapshots. */
export function bucketDelta(from: Snapshot, to: Snapshot): Bucket[] {
  return to.buckets.map(({ le, count }) => ({
    le,
    count: count - (from.buckets.find((b) => b.le === le)?.count ?? 0),
  }));
}

/** The upper bound (seconds) of the bucket holding quantile q; undefined with no observations. */
export function bucketQuantile(buckets: readonly Bucket[], q: number): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  return buckets.find((b) => b.count >= q * total)?.le;
}

/** The upper bound of the highest bucket that holds anything: the bucketed maximum. */
export function bucketMax(buckets: readonly Bucket[]): number | undefined {
  let previous = 0;
  let max: number | undefined;
  for (const b of buckets) {
    if (b.count > previous) max = b.le;
    previous = b.count;
  }
  return max;
}

/** Samples per second between two snapshots. */
export function rate(from: Snapshot, to: Snapshot): number {
  const seconds = (to.atMs - from.atMs) / 1000;
  return seconds > 0 ? (to.samples - from.samples) / seconds : 0;
}
