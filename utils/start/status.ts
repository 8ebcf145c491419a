// The status block `npm start` prints every few seconds: per sensor what it published and
// what is stored, when it was last seen; the ingest rate and end-to-end p99 latency.
import type pg from 'pg';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
      labels[pair[1] as string] = pair[2] as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** A quantile from a Prometheus histogram's cumulative buckets (upper bound of its bucket). */
export function histogramQuantile(samples: Sample[], name: string, q: number): number | undefined {
  const buckets = samples
    .filter((s) => s.name === `${name}_bucket`)
    .map((s) => ({ le: Number(s.labels.le === '+Inf' ? Infinity : s.labels.le), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  return buckets.find((b) => b.count >= q * total)?.le;
}

export async function scrape(port: number): Promise<Sample[]> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return parseMetrics(await res.text());
  } catch {
    return [];
  }
}

export interface StatusInput {
  pool: pg.Pool;
  /** Always shown; other sensors only while they are active. */
  serials: string[];
  /** Stored counts the blocks measured since then (this run), to compare with published. */
  since: Date;
  simulatorPort: number;
  ingesterPort: number;
  analyticsPort: number;
}

export class StatusBoard {
  private lastSamples = 0;
  private lastAt = Date.now();

  constructor(private readonly input: StatusInput) {}

  async render(): Promise<string> {
    const [sim, ingest, analytics] = await Promise.all([
      scrape(this.input.simulatorPort),
      scrape(this.input.ingesterPort),
      scrape(this.input.analyticsPort),
    ]);
    const confirmed = new Map(
      sim
        .filter((s) => s.name === 'iot_sim_samples_confirmed_total')
        .map((s) => [s.labels.serial ?? '', s.value]),
    );
    const { rows } = await this.input.pool.query<{
      serial_number: string;
      hz: number;
      target: string | null;
      stored: string;
      last_seen: Date | null;
      velocity: number | null;
      zone: string | null;
      diagnosis: string | null;
    }>(
      `SELECT s.serial_number, s.sample_frequency AS hz, t.name AS target, s.last_seen,
              COALESCE((SELECT sum(sample_count) FROM sensor_measurement b
                         WHERE b.sensor_id = s.id AND b.start_time >= $2), 0) AS stored,
              f.velocity_rms_mm_s AS velocity, f.iso_zone AS zone, f.diagnosis
         FROM sensor s LEFT JOIN target t ON t.id = s.target_id
         LEFT JOIN LATERAL (
           SELECT velocity_rms_mm_s, iso_zone, diagnosis FROM sensor_feature
            WHERE sensor_id = s.id ORDER BY window_start DESC LIMIT 1) f ON true
        WHERE s.serial_number = ANY($1) OR s.last_seen > now() - interval '1 minute'
        ORDER BY s.serial_number`,
      [this.input.serials, this.input.since],
    );
    const samples = ingest.find((s) => s.name === 'iot_ingest_samples_total')?.value ?? 0;
    const now = Date.now();
    const rate = ((samples - this.lastSamples) * 1000) / Math.max(1, now - this.lastAt);
    [this.lastSamples, this.lastAt] = [samples, now];
    const p99 = histogramQuantile(ingest, 'iot_ingest_latency_seconds', 0.99);

    const header = [
      'sensor',
      'target',
      'Hz',
      'published',
      'stored',
      'last seen',
      'mm/s',
      'zone',
      'diagnosis',
    ];
    const table = rows.map((r) => [
      r.serial_number,
      r.target ?? '-',
      String(r.hz),
      String(confirmed.get(r.serial_number) ?? '-'),
      r.stored,
      r.last_seen
        ? `${Math.max(0, Math.round((now - r.last_seen.getTime()) / 1000))} s ago`
        : 'never',
      r.velocity === null ? '-' : r.velocity.toFixed(2),
      r.zone ?? '-',
      r.diagnosis ?? '-',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    return [
      `── ${new Date().toISOString()} ──`,
      line(header),
      ...table.map(line),
      `ingest: ${Math.round(rate).toLocaleString('en')} samples/s` +
        `, p99 publish→commit ${formatQuantile(p99)}` +
        `; analytics p99 publish→features ${formatQuantile(
          histogramQuantile(analytics, 'iot_analytics_latency_seconds', 0.99),
        )}`,
    ].join('\n');
  }
}

function formatQuantile(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  return seconds === Infinity ? '>30 s' : `≤ ${Math.round(seconds * 1000)} ms`;
}
