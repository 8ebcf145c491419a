// `npm run bench:dashboards`: how fast the Vibration dashboard answers over the last 24 h of a
// 10 kHz sensor, measured once on a database of its own (the target: each query under
// 500 ms). It stores a day of that sensor as the pipeline would: 86,400 one-second blocks of
// 10,000 samples (864 million, one recorded second repeated: the queries over a day never read
// samples, so their values do not matter) and one feature row per second, then runs each
// query of the provisioned dashboard as iot_readonly, expanded as Grafana would, and prints the
// median of RUNS runs.
import pg from 'pg';
import { calculateIntervalMs, expandSql, parseIntervalMs } from './grafana-macros.js';
import { isSql, panelPoints, provisionedQueries } from './panel-queries.js';
import {
  createRunDatabase,
  dropRunDatabase,
  migrate,
  readStackEnv,
  required,
  stackUp,
  withDatabase,
} from '../run-stack.js';
import { repoRoot } from '../test/stack-env.js';

const SERIAL = 'BENCH-10K';
const RATE_HZ = 10_000;
const DAY_S = 86_400;
/** Each query's time is the median of this many runs (the first warms the cache). */
const RUNS = 5;
/** The target for each query over a day. */
const TARGET_MS = 500;
const SQL_MIN_INTERVAL_MS = 1_000;
const DATABASE = 'iot_bench_dashboards';

async function fillDay(owner: pg.Pool, end: Date): Promise<void> {
  await owner.query(
    `INSERT INTO target (organization_id, name, kind, rpm, bearing_balls, bearing_ball_mm,
       bearing_pitch_mm, bearing_angle_deg, iso_class)
     VALUES ((SELECT id FROM organization WHERE name = 'default'), 'bench-press', 'fixed', 1480,
       9, 7.94, 39.04, 0, 'group2-rigid')`,
  );
  await owner.query(
    `INSERT INTO sensor (serial_number, organization_id, sample_frequency, target_id, last_seen)
     SELECT $1, organization_id, $2, id, $3 FROM target WHERE name = 'bench-press'`,
    [SERIAL, RATE_HZ, end],
  );
  // One second of a 50 Hz sine with noise, repeated: a block per second of the day, with its
  // extrema as the ingester writes them (migration 0021).
  await owner.query(
    `INSERT INTO sensor_measurement (sensor_id, start_time, end_time, sample_rate_hz, sequence,
       sample_count, sample_min, sample_max, samples)
     SELECT s.id, $2::timestamptz - (i * interval '1 second'),
       $2::timestamptz - ((i - 1) * interval '1 second'), ${RATE_HZ}, ${DAY_S} - i, ${RATE_HZ},
       (SELECT min(v) FROM unnest(w.samples) AS v), (SELECT max(v) FROM unnest(w.samples) AS v),
       w.samples
     FROM sensor s,
       (SELECT array_agg((sin(2 * pi() * 50 * n / ${RATE_HZ}.0) + random() * 0.1)::real ORDER BY n)
          AS samples
          FROM generate_series(0, ${RATE_HZ} - 1) AS n) AS w,
       generate_series(1, ${DAY_S}) AS i
     WHERE s.serial_number = $1`,
    [SERIAL, end],
  );
  await owner.query(
    `INSERT INTO sensor_feature (sensor_id, window_start, window_end, sample_rate_hz,
       sample_count, acceleration_rms_g, acceleration_peak_g, crest_factor, kurtosis,
       velocity_rms_mm_s, iso_class, iso_zone, dominant_hz, dominant_amplitude_g,
       anomaly_score, baseline_status, feature_vector)
     SELECT s.id, $2::timestamptz - (i * interval '1 second'),
       $2::timestamptz - ((i - 1) * interval '1 second'), ${RATE_HZ}, ${RATE_HZ},
       0.7 + random() * 0.05, 1.1 + random() * 0.2, 1.5 + random() * 0.3, 2.9 + random() * 0.3,
       2 + random(), 'group2-rigid', 'B', 24.7, 0.7, random(), 'ready', '{}'
     FROM sensor s, generate_series(1, ${DAY_S}) AS i
     WHERE s.serial_number = $1`,
    [SERIAL, end],
  );
  await owner.query(
    `INSERT INTO sensor_spectrum (sensor_id, window_start, window_end, sample_rate_hz,
       spectrum_step_hz, spectrum, envelope_step_hz, envelope_spectrum)
     SELECT s.id, $2::timestamptz - interval '1 second', $2, ${RATE_HZ}, 1,
       array(SELECT random()::real FROM generate_series(1, 3906)), 1,
       array(SELECT random()::real FROM generate_series(1, 1000))
     FROM sensor s WHERE s.serial_number = $1`,
    [SERIAL, end],
  );
  // VACUUM as well: autovacuum visits an insert-only table too (PostgreSQL 13+), and the
  // visibility map it sets lets counting blocks read the index alone.
  await owner.query('VACUUM ANALYZE');
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  await stackUp(repoRoot);
  const stack = await readStackEnv();
  // A run that was killed may have left its database behind.
  await dropRunDatabase(repoRoot, DATABASE);
  await createRunDatabase(repoRoot, DATABASE);
  const url = (name: string) => withDatabase(required(stack, name), DATABASE);
  try {
    await migrate(repoRoot, {
      ...process.env,
      ...stack,
      IOT_DATABASE_OWNER_URL: url('IOT_DATABASE_OWNER_URL'),
      IOT_DATABASE_URL: url('IOT_DATABASE_URL'),
    });
    const owner = new pg.Pool({ connectionString: url('IOT_DATABASE_OWNER_URL'), max: 1 });
    const readonly = new pg.Pool({ connectionString: url('IOT_DATABASE_READONLY_URL'), max: 1 });
    const end = new Date();
    const started = Date.now();
    process.stderr.write(`filling a day of a ${RATE_HZ / 1000} kHz sensor…\n`);
    await fillDay(owner, end);
    process.stderr.write(`filled in ${Math.round((Date.now() - started) / 1000)} s\n`);
    const from = new Date(end.getTime() - DAY_S * 1000);
    const lines: string[] = [];
    for (const q of provisionedQueries().filter((q) => isSql(q) && q.dashboard === 'Vibration')) {
      const minMs = q.minInterval ? parseIntervalMs(q.minInterval) : SQL_MIN_INTERVAL_MS;
      const sql = expandSql(q.text, {
        from,
        to: end,
        intervalMs: calculateIntervalMs(from, end, panelPoints(q), minMs),
        timescaledb: false,
        variables: {
          sensor: { value: SERIAL },
          rate: { value: String(RATE_HZ) },
          target: { value: ['bench-press'], multi: true },
        },
      });
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        rows = (await readonly.query(sql)).rowCount ?? 0;
        times.push(performance.now() - t0);
      }
      const ms = median(times);
      lines.push(
        `${ms <= TARGET_MS ? 'ok  ' : 'SLOW'} ${ms.toFixed(1).padStart(8)} ms  ${String(rows).padStart(6)} rows  ${q.where}`,
      );
    }
    process.stdout.write(
      `Vibration dashboard, last 24 h of ${SERIAL} (${RATE_HZ} Hz, ${DAY_S} blocks, ${DAY_S} feature rows), median of ${RUNS}, target ${TARGET_MS} ms:\n${lines.join('\n')}\n`,
    );
    await owner.end();
    await readonly.end();
  } finally {
    await dropRunDatabase(repoRoot, DATABASE);
  }
}

await main();
