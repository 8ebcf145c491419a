// The periodic "how is it going" log line: per sensor for a handful of sensors, totals only
// for a fleet (a thousand sensors in one line would be unreadable).
import type { Logger } from '../../internal/telemetry/index.js';
import type { SimulatedSensor } from './device.js';

export const PER_SENSOR_LIMIT = 20;

export function progressRecord(sensors: readonly SimulatedSensor[]): Record<string, unknown> {
  const row = (s: SimulatedSensor) => ({
    batchesMeasured: s.counters.batchesMeasured,
    batchesConfirmed: s.counters.batchesConfirmed,
    samplesConfirmed: s.counters.samplesConfirmed,
    samplesDropped: s.counters.samplesDropped,
    outboxBatches: s.outboxBatches,
  });
  const totals = {
    sensors: sensors.length,
    connected: 0,
    batchesMeasured: 0,
    batchesConfirmed: 0,
    samplesConfirmed: 0,
    samplesDropped: 0,
    outboxBatches: 0,
  };
  for (const s of sensors) {
    const r = row(s);
    totals.connected += s.connected ? 1 : 0;
    totals.batchesMeasured += r.batchesMeasured;
    totals.batchesConfirmed += r.batchesConfirmed;
    totals.samplesConfirmed += r.samplesConfirmed;
    totals.samplesDropped += r.samplesDropped;
    totals.outboxBatches += r.outboxBatches;
  }
  if (sensors.length > PER_SENSOR_LIMIT) return { totals };
  return {
    totals,
    sensors: Object.fromEntries(
      sensors.map((s) => [s.serial, { ...row(s), connected: s.connected }]),
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
