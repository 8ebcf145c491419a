// Simulated sensors for end-to-end tests and what they count: the simulator's summary (what
// the broker confirmed) against the samples PostgreSQL really holds.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { expect, vi } from 'vitest';
import { count } from './database.js';
import { startService, type ServiceProcess } from './processes.js';

/** One sensor in the simulator's --summary-file (cmd/sensor-simulation/summary.ts). */
export interface SensorSummary {
  serial: string;
  sampleRateHz: number;
  samplesMeasured: number;
  samplesConfirmed: number;
  samplesDropped: number;
  locationsConfirmed: number;
  logsConfirmed: number;
}

/**
 * The simulator provisioning and running `sensors` (serial:hz[:mount] specs) with its summary
 * in `workDir`, readable once it has exited.
 */
export async function startSensors(
  workDir: string,
  sensors: string[],
  extra: string[] = [],
): Promise<{ simulator: ServiceProcess; summary: () => { sensors: SensorSummary[] } }> {
  const summaryFile = path.join(workDir, `summary-${Date.now()}.json`);
  const simulator = await startService('sensor-simulation', {
    args: [
      '--provision',
      '--summary-file',
      summaryFile,
      ...sensors.map((s) => `--sensor=${s}`),
      ...extra,
    ],
  });
  return {
    simulator,
    summary: () => JSON.parse(readFileSync(summaryFile, 'utf8')) as { sensors: SensorSummary[] },
  };
}

/** Samples stored for a serial: the sum of its blocks' lengths. */
export const samplesStored = (pool: pg.Pool, serial: string) =>
  count(
    pool,
    `SELECT COALESCE(sum(sample_count), 0) AS n FROM sensor_measurement
      WHERE sensor_id = (SELECT id FROM sensor WHERE serial_number = $1)`,
    [serial],
  );

/** Blocks stored more than once for a serial (the same start time twice). */
export const duplicateBlocks = (pool: pg.Pool, serial: string) =>
  count(
    pool,
    `SELECT count(*) - count(DISTINCT start_time) AS n FROM sensor_measurement
      WHERE sensor_id = (SELECT id FROM sensor WHERE serial_number = $1)`,
    [serial],
  );

/** Waits until the database holds exactly what each sensor had confirmed. */
export async function everyConfirmedSampleStored(
  pool: pg.Pool,
  sensors: SensorSummary[],
  timeoutMs = 60_000,
): Promise<void> {
  await vi.waitFor(
    async () => {
      for (const s of sensors)
        expect(await samplesStored(pool, s.serial), s.serial).toBe(s.samplesConfirmed);
    },
    { timeout: timeoutMs, interval: 500 },
  );
}
