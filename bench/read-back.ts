// What the stored waveforms cost on disk and to read back. Bytes per sample: the block table
// with its TOAST and indexes over the samples it holds (the run's database holds only the run).
// Read latency: windows of one sensor through sensor_samples, as Grafana or a SQL user reads
// them, the server producing every (time, value) row (count and sum, so the client's parsing
// is not what is timed).
import type pg from 'pg';

/** Ten seconds: the window the read target is set for. */
export const READ_WINDOW_S = 10;
/** Windows read, spread evenly over the sensor's stored range. */
export const READ_WINDOWS = 40;

export async function bytesPerSample(pool: pg.Pool, samplesStored: number): Promise<number> {
  const { rows } = await pool.query<{ bytes: string }>(
    "SELECT pg_total_relation_size('sensor_measurement') AS bytes",
  );
  return samplesStored > 0 ? Number(rows[0]?.bytes ?? 0) / samplesStored : 0;
}

export interface ReadLatency {
  p50: number;
  p99: number;
  windows: number;
  windowSeconds: number;
  samplesPerWindow: number;
  serial: string | null;
}

/** Reads READ_WINDOWS windows of the run's first sensor; latencies in ms. */
export async function readLatency(pool: pg.Pool, serialPrefix: string): Promise<ReadLatency> {
  const { rows } = await pool.query<{ serial: string; from_us: string; to_us: string }>(
    `SELECT s.serial_number AS serial,
            (extract(epoch FROM min(m.start_time)) * 1e6)::bigint AS from_us,
            (extract(epoch FROM max(m.end_time)) * 1e6)::bigint AS to_us
       FROM sensor s JOIN sensor_measurement m ON m.sensor_id = s.id
      WHERE s.serial_number LIKE $1 || '-%'
      GROUP BY s.serial_number ORDER BY s.serial_number LIMIT 1`,
    [serialPrefix],
  );
  const range = rows[0];
  if (!range) {
    return { p50: 0, p99: 0, windows: 0, windowSeconds: 0, samplesPerWindow: 0, serial: null };
  }
  const [fromUs, toUs] = [Number(range.from_us), Number(range.to_us)];
  const windowUs = Math.min(READ_WINDOW_S * 1e6, toUs - fromUs);
  const spread = toUs - fromUs - windowUs;
  const latencies: number[] = [];
  let samples = 0;
  for (let i = 0; i < READ_WINDOWS; i++) {
    const startUs = fromUs + Math.round((spread * i) / Math.max(1, READ_WINDOWS - 1));
    const started = process.hrtime.bigint();
    const result = await pool.query<{ n: string }>(
      `SELECT count(*) AS n, sum(value) FROM sensor_samples($1,
         'epoch'::timestamptz + $2 * INTERVAL '1 microsecond',
         'epoch'::timestamptz + $3 * INTERVAL '1 microsecond')`,
      [range.serial, startUs, startUs + windowUs],
    );
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    samples = Math.max(samples, Number(result.rows[0]?.n ?? 0));
  }
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? 0;
  return {
    p50: quantile(0.5),
    p99: quantile(0.99),
    windows: latencies.length,
    windowSeconds: windowUs / 1e6,
    samplesPerWindow: samples,
    serial: range.serial,
  };
}
