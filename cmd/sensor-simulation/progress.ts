// The periodic "how is it going" log line: per sensor for a handful of sensors, totals only
// for a fleet (a thousand sensors in one line would be unreadable).
import type { Logger } from '../../internal/telemetry/index.js';
import type { SimulatedSensor } from './device.js';
import { pickCounts, sumCounts, type CountField } from './sensor-counters.js';

export const PER_SENSOR_LIMIT = 20;

/** What the progress line shows of each sensor's counters. */
const SHOWN = [
  'batchesMeasured',
  'batchesConfirmed',
  'samplesConfirmed',
  'samplesDropped',
] as const satisfies readonly CountField[];

export function progressRecord(sensors: readonly SimulatedSensor[]): Record<string, unknown> {
  const rows = sensors.map((s) => ({
    ...pickCounts(s.counters, SHOWN),
    outboxBatches: s.outboxBatches,
    connected: s.connected ? 1 : 0,
  }));
  const totals = {
    sensors: sensors.length,
    ...sumCounts(rows, ['connected', ...SHOWN, 'outboxBatches']),
  };
  if (sensors.length > PER_SENSOR_LIMIT) return { totals };
  return {
    totals,
    sensors: Object.fromEntries(
      sensors.map((s, i) => [s.serial, { ...rows[i], connected: s.connected }]),
    ),
  };
}

/** Logs progress every `everyMs`; returns the function that stops it. */
export function startProgressLog(
  sensors: readonly SimulatedSensor[],
  logger: Logger,
  everyMs = 10_000,
): () => void {
  const timer = setInterval(() => logger.info(progressRecord(sensors), 'progress'), everyMs);
  return () => clearInterval(timer);
}
