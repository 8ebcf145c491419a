// Rebuilding a sensor's features from its stored waveform blocks (after an algorithm change):
// one transaction removes the windows that start in the job's range, cuts the blocks that
// start in it into windows exactly as the live path does (window-accumulator.ts, the same
// window length), analyses each against the sensor's current baseline and target, writes
// them, and marks the job done. Either all of a range is replaced or none of it, and a job run
// twice leaves the same rows.
//
// What a recompute does not do: learn or change the baseline (the live stream owns it;
// `iotctl baseline reset` relearns), update the latest spectra, or announce FeatureEvents
// (these windows are history: alarms must not fire on them again).
import type pg from 'pg';
import {
  analyzeWindow,
  createBaseline,
  parseBaseline,
  type Baseline,
  type MachineParameters,
} from '../../internal/vibration/index.js';
import { writeFeatureRow } from './feature-row.js';
import type { AnalysisSettings } from './sensor-analysis.js';
import { accumulate, type SampleRun } from './window-accumulator.js';

/**
 * Blocks read per query: at most a few MB of samples in memory (64 one-second blocks at
 * 25.6 kHz), and few round trips.
 */
export const RECOMPUTE_PAGE_BLOCKS = 64;

export interface RecomputeJob {
  readonly id: string;
  readonly sensorId: number;
  readonly since: Date;
  readonly until: Date;
}

export interface RecomputeResult {
  readonly blocks: number;
  readonly removed: number;
  readonly windows: number;
}

interface BlockRow {
  start_us: string;
  sample_rate_hz: number;
  samples: number[];
}

/** The sensor's baseline as stored, for scoring only; a fresh (learning) one where none fits. */
async function scoringBaseline(
  client: pg.ClientBase,
  sensorId: number,
  rateHz: number,
  settings: AnalysisSettings,
): Promise<Baseline> {
  const { rows } = await client.query<{ baseline: unknown }>(
    'SELECT baseline FROM sensor_baseline WHERE sensor_id = $1',
    [sensorId],
  );
  const stored = rows[0] === undefined ? null : parseBaseline(rows[0].baseline);
  // A baseline holds band levels at one rate: windows at another are not scored against it.
  if (stored !== null && stored.rateHz === rateHz) return stored;
  return createBaseline({ rateHz, windows: settings.baselineWindows });
}

/** Replaces the job's windows and marks it done, in one transaction on `client`. */
export async function recomputeFeatures(
  client: pg.ClientBase,
  job: RecomputeJob,
  machine: MachineParameters,
  settings: AnalysisSettings,
): Promise<RecomputeResult> {
  await client.query('BEGIN');
  try {
    const removed = await client.query(
      'DELETE FROM sensor_feature WHERE sensor_id = $1 AND window_start >= $2 AND window_start < $3',
      [job.sensorId, job.since, job.until],
    );
    let blocks = 0;
    let windows = 0;
    let pending: SampleRun | null = null;
    const baselines = new Map<number, Baseline>();
    // Keyset pages in start order (the key (sensor_id, start_time) serves each), the cursor
    // kept in microseconds: a Date would round a block's start to the millisecond.
    let afterUs: number | null = null;
    for (;;) {
      const { rows } = await client.query<BlockRow>(
        `SELECT (extract(epoch FROM start_time) * 1000000)::bigint AS start_us,
                sample_rate_hz, samples
           FROM sensor_measurement
          WHERE sensor_id = $1 AND start_time >= $2 AND start_time < $3
            AND ($4::bigint IS NULL
                 OR start_time > 'epoch'::timestamptz + $4::bigint * INTERVAL '1 microsecond')
          ORDER BY start_time
          LIMIT $5`,
        [job.sensorId, job.since, job.until, afterUs, RECOMPUTE_PAGE_BLOCKS],
      );
      for (const row of rows) {
        const run: SampleRun = {
          startUs: Number(row.start_us),
          rateHz: row.sample_rate_hz,
          samples: Float32Array.from(row.samples),
        };
        const taken = accumulate(pending, run, settings.windowLength);
        pending = taken.pending;
        for (const window of taken.windows) {
          let baseline = baselines.get(window.rateHz);
          if (baseline === undefined) {
            baseline = await scoringBaseline(client, job.sensorId, window.rateHz, settings);
            baselines.set(window.rateHz, baseline);
          }
          const features = analyzeWindow(window.samples, window.rateHz, machine, baseline);
          await writeFeatureRow(client, job.sensorId, window, features);
          windows += 1;
        }
        afterUs = run.startUs;
      }
      blocks += rows.length;
      if (rows.length < RECOMPUTE_PAGE_BLOCKS) break;
    }
    const result = { blocks, removed: removed.rowCount ?? 0, windows };
    await client.query(
      `UPDATE feature_recompute
          SET status = 'done', finished_at = now(), blocks = $2, removed = $3, windows = $4
        WHERE id = $1`,
      [job.id, result.blocks, result.removed, result.windows],
    );
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** What refreshAggregates needs of a connection: pg's client and PGlite both have it. */
export interface SqlRunner {
  query(sql: string): Promise<{ rows: unknown[] }>;
}

/** The continuous aggregates over sensor_feature (migration 0014) under TimescaleDB. */
export const FEATURE_AGGREGATES = ['sensor_feature_1m', 'sensor_feature_1h'] as const;
const HOUR_MS = 3_600_000;

/**
 * Under TimescaleDB the aggregates' policies refresh only recent buckets (the last hour per
 * minute, the last three days per hour), so a recomputed range is refreshed here, widened to
 * whole hours: a refresh only recomputes buckets that lie wholly inside its window. Outside a
 * transaction (TimescaleDB refuses one). On plain PostgreSQL the aggregates are views: nothing
 * to do. Returns whether it refreshed.
 */
export async function refreshAggregates(
  db: SqlRunner,
  range: { since: Date; until: Date },
): Promise<boolean> {
  const timescale = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
  if (timescale.rows.length === 0) return false;
  const { rows } = await db.query(
    `SELECT view_name FROM timescaledb_information.continuous_aggregates
      WHERE view_name IN (${FEATURE_AGGREGATES.map((v) => `'${v}'`).join(', ')})`,
  );
  if (rows.length !== FEATURE_AGGREGATES.length) return false;
  const from = new Date(Math.floor(range.since.getTime() / HOUR_MS) * HOUR_MS).toISOString();
  const to = new Date(Math.ceil(range.until.getTime() / HOUR_MS) * HOUR_MS).toISOString();
  // CALL takes no bind parameters; the bounds are Date.toISOString(), digits and [-:.TZ] only.
  for (const view of FEATURE_AGGREGATES) {
    await db.query(`CALL refresh_continuous_aggregate('${view}', '${from}', '${to}')`);
  }
  return true;
}
