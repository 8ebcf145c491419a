// Did every confirmed sample arrive, once? Counts the run's samples in sensor_measurement
// (the blocks of the sensors that share the run's serial prefix), waits for the ingesters to
// catch up, then compares with what the simulator had confirmed at the broker.
import type pg from 'pg';
import { sleep } from './services.js';

export interface Accounting {
  samplesConfirmed: number;
  /** The sum of the run's block lengths. */
  samplesStored: number;
  blocksStored: number;
  /** Confirmed but not stored (negative: stored more than confirmed). */
  lostSamples: number;
  /**
   * Samples of blocks that start before the previous block of their sensor ended (by more
   * than the rounding slack of batch-time.ts). The ingester refuses such blocks, so this
   * stays 0 unless that check broke; refused ones would show as lost.
   */
  duplicateSamples: number;
  /** Seconds from the simulator's exit until the database held everything (or the timeout). */
  drainSeconds: number;
  drainTimedOut: boolean;
}

const RUN_SENSORS = `SELECT id FROM sensor WHERE serial_number LIKE $1 || '-%'`;

export async function storedSamples(pool: pg.Pool, serialPrefix: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT COALESCE(sum(sample_count), 0) AS n FROM sensor_measurement
      WHERE sensor_id IN (${RUN_SENSORS})`,
    [serialPrefix],
  );
  return Number(rows[0]?.n ?? 0);
}

/** The run's sensor ids, for the COPY ceilings to write rows that look the same. */
export async function runSensorIds(pool: pg.Pool, serialPrefix: string): Promise<number[]> {
  const { rows } = await pool.query<{ id: string }>(`${RUN_SENSORS} ORDER BY id`, [serialPrefix]);
  return rows.map((r) => Number(r.id));
}

/**
 * Polls once a second until the stored samples equal the confirmed ones and stopped growing,
 * or until the timeout; then looks for blocks that overlap their predecessor.
 */
export async function awaitStored(
  pool: pg.Pool,
  serialPrefix: string,
  samplesConfirmed: number,
  timeoutMs: number,
  onPoll: (stored: number) => void = () => {},
): Promise<Accounting> {
  const started = Date.now();
  let previous = -1;
  let stored = 0;
  let timedOut = false;
  for (;;) {
    stored = await storedSamples(pool, serialPrefix);
    onPoll(stored);
    if (stored === previous && stored >= samplesConfirmed) break;
    if (Date.now() - started > timeoutMs) {
      timedOut = true;
      break;
    }
    previous = stored;
    await sleep(1000);
  }
  const drainSeconds = (Date.now() - started) / 1000;
  const { rows } = await pool.query<{ blocks: string; samples: string; overlapping: string }>(
    `SELECT count(*) AS blocks, COALESCE(sum(sample_count), 0) AS samples,
            COALESCE(sum(sample_count) FILTER (
              WHERE start_time + floor(500000 / sample_rate_hz) * INTERVAL '1 microsecond'
                    < previous_end), 0) AS overlapping
       FROM (SELECT sample_count, start_time, sample_rate_hz,
                    lag(end_time) OVER (PARTITION BY sensor_id ORDER BY start_time) AS previous_end
               FROM sensor_measurement WHERE sensor_id IN (${RUN_SENSORS})) b`,
    [serialPrefix],
  );
  const samplesStored = Number(rows[0]?.samples ?? 0);
  const duplicateSamples = Number(rows[0]?.overlapping ?? 0);
  return {
    samplesConfirmed,
    samplesStored,
    blocksStored: Number(rows[0]?.blocks ?? 0),
    lostSamples: samplesConfirmed - (samplesStored - duplicateSamples),
    duplicateSamples,
    drainSeconds,
    drainTimedOut: timedOut,
  };
}
