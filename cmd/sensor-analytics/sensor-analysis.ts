// One batch of one sensor through the analysis, against the sensor's stored state, in one
// transaction: take the batch in, analyse every window it completes, learn or score against
// the baseline, store the features, the latest spectra and the new state, announce, commit.
//
// Scaling out. Replicas share the queue, so one sensor's batches can reach two processes at
// once. Every batch is taken in while holding the sensor's sensor_baseline row FOR UPDATE,
// which holds its baseline and its cursor (where the next batch must start) and any samples
// of an unfinished window. So one replica at a time moves a sensor on, and always from the
// state the other one committed: a window is learned once, scored against the baseline of
// the windows before it, and a batch already taken in (a redelivery, or one both replicas
// saw) is recognised by the cursor and skipped. Windows are keyed by their start and written
// with ON CONFLICT DO UPDATE, so even a window analysed twice is one row. A batch that starts
// past the cursor may have a predecessor still in flight on the other replica: it waits for
// it briefly (ORDER_WAIT_MS) before the gap is taken as real, if the sensor is being analysed
// at the time. Where a sensor's stream starts (its first batch ever, or the first after it
// was idle) there is no recent cursor to wait on, so another replica may take the next batch
// in first; the earlier one then starts before the cursor but has no window covering it. It
// is not a duplicate but late: its own full windows are analysed and stored (scored against,
// and learned into, the baseline as it stands), and the cursor stays where it is.
// We chose the row lock over an
// advisory lock because the row is the state itself: locking it and reading it are one step,
// and it survives restarts; over single-active-consumer because that cannot be turned on for
// a queue that already exists, and would idle every replica but one.
import type pg from 'pg';
import {
  analyzeWindow,
  createBaseline,
  learnBaseline,
  parseBaseline,
  type Baseline,
  type MachineParameters,
  type WindowFeatures,
} from '../../internal/vibration/index.js';
import { writeFeatureRow, writeSpectra } from './feature-row.js';
import {
  accumulate,
  runEndUs,
  type SampleRun,
  type Window,
  type WindowLength,
} from './window-accumulator.js';

/**
 * How long a batch that starts past the cursor waits for its predecessor: replicas handle a
 * sensor's consecutive batches within milliseconds of each other, so 2 s covers a busy
 * database; a real gap in a live stream (a lost batch) costs this once.
 */
export const ORDER_WAIT_MS = 2_000;
/** How often the waiting batch looks at the cursor again. */
const ORDER_POLL_MS = 20;

export interface AnalysedWindow {
  readonly window: Window;
  readonly features: WindowFeatures;
}

export type BatchResult =
  | { readonly kind: 'analysed'; readonly windows: AnalysedWindow[]; readonly gap: boolean }
  | { readonly kind: 'duplicate' };

export interface AnalysisSettings {
  readonly windowLength: WindowLength;
  readonly baselineWindows: number;
}

interface StateRow {
  baseline: unknown;
  next_start_us: string | null;
  pending_start_us: string | null;
  pending: number[] | null;
}

const us = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint`;
const ts = (param: string) => `'epoch'::timestamptz + ${param}::bigint * INTERVAL '1 microsecond'`;

/** Half a sample period: two batch times closer than that are the same instant. */
const toleranceUs = (rateHz: number) => 500_000 / rateHz;

/** Where the sensor's next batch should start, and how long ago its state last moved. */
async function readCursor(
  pool: pg.Pool,
  sensorId: number,
): Promise<{ nextStartUs: number; idleMs: number } | null> {
  const { rows } = await pool.query<{ next_start_us: string | null; idle_ms: number }>(
    `SELECT ${us('next_start')} AS next_start_us,
            (extract(epoch FROM clock_timestamp() - updated_at) * 1000)::float8 AS idle_ms
       FROM sensor_baseline WHERE sensor_id = $1`,
    [sensorId],
  );
  const row = rows[0];
  if (row === undefined || row.next_start_us === null) return null;
  return { nextStartUs: Number(row.next_start_us), idleMs: row.idle_ms };
}

/**
 * Waits (up to ORDER_WAIT_MS) while the batch starts past the cursor and the sensor is being
 * analysed right now (its state moved within ORDER_WAIT_MS): then a predecessor is likely in
 * flight on another replica. A sensor that was idle (asleep, or every replica restarted) is
 * not waited for: its first batch after the pause just starts a new stretch.
 */
async function waitForTurn(pool: pg.Pool, sensorId: number, batch: SampleRun): Promise<void> {
  const deadline = Date.now() + ORDER_WAIT_MS;
  for (;;) {
    const cursor = await readCursor(pool, sensorId);
    if (cursor === null || batch.startUs <= cursor.nextStartUs + toleranceUs(batch.rateHz)) return;
    if (cursor.idleMs > ORDER_WAIT_MS || Date.now() >= deadline) return;
    await new Promise((wake) => setTimeout(wake, ORDER_POLL_MS));
  }
}

function freshBaseline(rateHz: number, settings: AnalysisSettings): Baseline {
  return createBaseline({ rateHz, windows: settings.baselineWindows });
}

/**
 * Takes the batch in. `announce` is called with the windows it completed after they are
 * written and before COMMIT: an event is never lost to a crash after the commit (the batch is
 * redelivered, finds the cursor unmoved, and announces again), at the price of an event for a
 * window whose commit then failed being announced twice. Consumers key events by
 * (serial, window start).
 */
export async function analyseBatch(
  pool: pg.Pool,
  sensorId: number,
  batch: SampleRun,
  machine: MachineParameters,
  settings: AnalysisSettings,
  announce: (windows: readonly AnalysedWindow[]) => Promise<void> = async () => {},
): Promise<BatchResult> {
  await waitForTurn(pool, sensorId, batch);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO sensor_baseline (sensor_id, baseline) VALUES ($1, $2)
       ON CONFLICT (sensor_id) DO NOTHING`,
      [sensorId, JSON.stringify(freshBaseline(batch.rateHz, settings))],
    );
    const { rows } = await client.query<StateRow>(
      `SELECT baseline, ${us('next_start')} AS next_start_us,
              ${us('pending_start')} AS pending_start_us, pending
         FROM sensor_baseline WHERE sensor_id = $1 FOR UPDATE`,
      [sensorId],
    );
    const state = rows[0];
    if (state === undefined) throw new Error(`sensor ${sensorId} has no baseline row`);
    const cursor = state.next_start_us === null ? null : Number(state.next_start_us);
    const late = cursor !== null && batch.startUs < cursor - toleranceUs(batch.rateHz);
    if (late && (await windowCovers(client, sensorId, batch))) {
      await client.query('ROLLBACK');
      return { kind: 'duplicate' };
    }
    const gap = cursor !== null && batch.startUs > cursor + toleranceUs(batch.rateHz);

    let baseline = parseBaseline(state.baseline);
    if (late) {
      const analysed = await analyseLate(client, sensorId, batch, machine, settings, baseline);
      await announce(analysed);
      await client.query('COMMIT');
      return analysed.length === 0
        ? { kind: 'duplicate' }
        : { kind: 'analysed', windows: analysed, gap: false };
    }
    // Pending samples are at the rate of the batch before, which the baseline was kept at.
    const pending: SampleRun | null =
      state.pending_start_us === null || state.pending === null
        ? null
        : {
            startUs: Number(state.pending_start_us),
            rateHz: baseline.rateHz,
            samples: Float32Array.from(state.pending),
          };
    // A baseline holds band levels at one rate: a new rate starts a new baseline.
    if (baseline.rateHz !== batch.rateHz) baseline = freshBaseline(batch.rateHz, settings);
    const taken = accumulate(pending, batch, settings.windowLength);

    const analysed: AnalysedWindow[] = [];
    for (const window of taken.windows) {
      const features = analyzeWindow(window.samples, window.rateHz, machine, baseline);
      if (features.baselineStatus === 'learning') baseline = learnBaseline(baseline, features);
      await writeFeatureRow(client, sensorId, window, features);
      analysed.push({ window, features });
    }
    const last = analysed.at(-1);
    if (last) await writeSpectra(client, sensorId, last.window, last.features);
    await client.query(
      `UPDATE sensor_baseline SET baseline = $2, next_start = ${ts('$3')},
         pending_start = ${ts('$4')}, pending = $5, updated_at = clock_timestamp()
       WHERE sensor_id = $1`,
      [
        sensorId,
        JSON.stringify(baseline),
        runEndUs(batch),
        taken.pending?.startUs ?? null,
        taken.pending === null ? null : Array.from(taken.pending.samples),
      ],
    );
    await announce(analysed);
    await client.query('COMMIT');
    return { kind: 'analysed', windows: analysed, gap: gap || taken.dropped };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Whether a stored window covers the batch's first sample: it was taken in before. */
async function windowCovers(
  client: pg.PoolClient,
  sensorId: number,
  batch: SampleRun,
): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT 1 FROM sensor_feature
      WHERE sensor_id = $1 AND window_start <= ${ts('$2')} AND window_end > ${ts('$3')}
      LIMIT 1`,
    [sensorId, Math.round(batch.startUs + toleranceUs(batch.rateHz)), batch.startUs],
  );
  return rows.length > 0;
}

/**
 * A late batch (see the top of the file): the full windows it makes on its own, analysed
 * against the baseline as it stands and learned into it while it learns (the baseline's
 * statistics do not depend on the order of the windows). The cursor and any pending samples
 * stay: they belong to the stream that went on without it.
 */
async function analyseLate(
  client: pg.PoolClient,
  sensorId: number,
  batch: SampleRun,
  machine: MachineParameters,
  settings: AnalysisSettings,
  stored: Baseline,
): Promise<AnalysedWindow[]> {
  const sameRate = stored.rateHz === batch.rateHz;
  let baseline = sameRate ? stored : freshBaseline(batch.rateHz, settings);
  const analysed: AnalysedWindow[] = [];
  for (const window of accumulate(null, batch, settings.windowLength).windows) {
    const features = analyzeWindow(window.samples, window.rateHz, machine, baseline);
    if (features.baselineStatus === 'learning') baseline = learnBaseline(baseline, features);
    await writeFeatureRow(client, sensorId, window, features);
    analysed.push({ window, features });
  }
  if (sameRate && analysed.length > 0) {
    await client.query('UPDATE sensor_baseline SET baseline = $2 WHERE sensor_id = $1', [
      sensorId,
      JSON.stringify(baseline),
    ]);
  }
  return analysed;
}

/** The batch's samples as a run (the wire carries float32 values as numbers). */
export function batchRun(batch: {
  startTimeUs: number;
  sampleRateHz: number;
  values: ArrayLike<number>;
}): SampleRun {
  return {
    startUs: batch.startTimeUs,
    rateHz: batch.sampleRateHz,
    samples: Float32Array.from(batch.values),
  };
}
