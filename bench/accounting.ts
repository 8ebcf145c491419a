// Did every confirmed sample arrive, once? Counts the run's rows in sensor_measurement
// (its sensors share the run's serial prefix), waits for the ingesters to catch up, then
// compares with what the simulator had confirmed at the broker.
import type pg from 'pg';
import { sleep } from './services.js';

export interface Accounting {
  samplesConfirmed: number;
  rowsStored: number;
  distinctRows: number;
  /** Confirmed but not stored (negative: stored more than confirmed). */
  lostSamples: number;
  /** Rows beyond the first for the same (sensor, time). */
  duplicateSamples: number;
  /** Seconds from the simulator's exit until the database held everything (or the timeout). */
  drainSeconds: number;
  drainTimedOut: boolean;
}

const RUN_SENSORS = `SELECT id FROM sensor WHERE serial_number LIKE $1 || '-%'`;

export async function storedRows(pool: pg.Pool, serialPrefix: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM sensor_measurement WHERE sensor_id IN (${RUN_SENSORS})`,
    [serialPrefix],
  );
  return Number(rows[0]?.n ?? 0);
}

/** The run's sensor ids, for the COPY ceiling to write rows that look the same. */
export async function runSensorIds(pool: pg.Pool, serialPrefix: string): Promise<number[]> {
  const { rows } = await pool.query<{ id: string }>(`${RUN_SENSORS} ORDER BY id`, [serialPrefix]);
  return rows.map((r) => Number(r.id));
}

/**
 * Polls once a second until the stored rows equal the confirmed samples and stopped growing,
 * or until the timeout; then counts distinct (sensor, time) pairs.
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
    stored = await storedRows(pool, serialPrefix);
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
  const { rows } = await pool.query<{ n: string; d: string }>(
    `SELECT count(*) AS n, count(DISTINCT (sensor_id, time)) AS d
       FROM sensor_measurement WHERE sensor_id IN (${RUN_SENSORS})`,
    [serialPrefix],
  );
  const rowsStored = Number(rows[0]?.n ?? 0);
  const distinctRows = Number(rows[0]?.d ?? 0);
  return {
    samplesConfirmed,
    rowsStored,
    distinctRows,
    lostSamples: samplesConfirmed - distinctRows,
    duplicateSamples: rowsStored - distinctRows,
    drainSeconds,
    drainTimedOut: timedOut,
  };
}
