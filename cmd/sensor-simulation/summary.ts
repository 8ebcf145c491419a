// The run's account, per sensor and in total: what was measured, what the broker confirmed,
// what the outbox had to drop, what became of the commands. The end-to-end tests compare samplesConfirmed with the rows in
// the database, so it counts exactly the samples of batches that got a PUBACK.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SimulatedSensor } from './device.js';

export interface SensorSummary {
  serial: string;
  /** The rate at the end of the run (commands may have changed it since boot). */
  sampleRateHz: number;
  /** First and last sequence number measured (null when no batch was complete). */
  firstSequence: number | null;
  lastSequence: number | null;
  batchesMeasured: number;
  batchesConfirmed: number;
  samplesMeasured: number;
  samplesConfirmed: number;
  samplesDropped: number;
  locationsConfirmed: number;
  logsConfirmed: number;
  commandsApplied: number;
  commandsRejected: number;
  commandsExpired: number;
}

export type SummaryTotals = Omit<
  SensorSummary,
  'serial' | 'sampleRateHz' | 'firstSequence' | 'lastSequence'
> & {
  sensors: number;
};

export interface Summary {
  sensors: SensorSummary[];
  totals: SummaryTotals;
}

const TOTALLED = [
  'batchesMeasured',
  'batchesConfirmed',
  'samplesMeasured',
  'samplesConfirmed',
  'samplesDropped',
  'locationsConfirmed',
  'logsConfirmed',
  'commandsApplied',
  'commandsRejected',
  'commandsExpired',
] as const;

export function sensorSummary(sensor: SimulatedSensor): SensorSummary {
  const c = sensor.counters;
  return {
    serial: sensor.serial,
    sampleRateHz: sensor.sampleRateHz,
    firstSequence: c.firstSequence,
    lastSequence: c.lastSequence,
    batchesMeasured: c.batchesMeasured,
    batchesConfirmed: c.batchesConfirmed,
    samplesMeasured: c.samplesMeasured,
    samplesConfirmed: c.samplesConfirmed,
    samplesDropped: c.samplesDropped,
    locationsConfirmed: c.locationsConfirmed,
    logsConfirmed: c.logsConfirmed,
    commandsApplied: c.commandsApplied,
    commandsRejected: c.commandsRejected,
    commandsExpired: c.commandsExpired,
  };
}

export function totalsOf(sensors: readonly SensorSummary[]): SummaryTotals {
  const totals: SummaryTotals = {
    sensors: sensors.length,
    batchesMeasured: 0,
    batchesConfirmed: 0,
    samplesMeasured: 0,
    samplesConfirmed: 0,
    samplesDropped: 0,
    locationsConfirmed: 0,
    logsConfirmed: 0,
    commandsApplied: 0,
    commandsRejected: 0,
    commandsExpired: 0,
  };
  for (const s of sensors) for (const key of TOTALLED) totals[key] += s[key];
  return totals;
}

export function buildSummary(sensors: readonly SimulatedSensor[]): Summary {
  const perSensor = sensors.map(sensorSummary);
  return { sensors: perSensor, totals: totalsOf(perSensor) };
}

/** Writes the summary so a reader never sees half a file: a temp file beside it, then rename. */
export async function writeSummaryFile(file: string, summary: Summary): Promise<void> {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temp, `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o644 });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
