// The run's account, per sensor and in total: what was measured, what the broker confirmed,
// what the outbox had to drop, what became of the commands. The end-to-end tests compare samplesConfirmed with the rows in
// the database, so it counts exactly the samples of batches that got a PUBACK.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SimulatedSensor } from './device.js';
import { pickCounts, sumCounts, type CountField } from './sensor-counters.js';

/** What the summary counts per sensor and sums over the fleet. */
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
] as const satisfies readonly CountField[];
type Totalled = (typeof TOTALLED)[number];

export type SensorSummary = {
  serial: string;
  /** The rate at the end of the run (commands may have changed it since boot). */
  sampleRateHz: number;
  /** First and last sequence number measured (null when no batch was complete). */
  firstSequence: number | null;
  lastSequence: number | null;
} & Record<Totalled, number>;

export type SummaryTotals = Record<Totalled, number> & { sensors: number };

export interface Summary {
  sensors: SensorSummary[];
  totals: SummaryTotals;
}

export function sensorSummary(sensor: SimulatedSensor): SensorSummary {
  const c = sensor.counters;
  return {
    serial: sensor.serial,
    sampleRateHz: sensor.sampleRateHz,
    firstSequence: c.firstSequence,
    lastSequence: c.lastSequence,
    ...pickCounts(c, TOTALLED),
  };
}

export function totalsOf(sensors: readonly SensorSummary[]): SummaryTotals {
  return { sensors: sensors.length, ...sumCounts(sensors, TOTALLED) };
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
