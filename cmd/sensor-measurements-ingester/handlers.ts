// Turns deliveries into writes. Each handler decodes and checks the message (bad input →
// dead letter with the reason), resolves its serial (not enrolled yet → wait, then dead
// letter), and hands it to a batcher whose commit decides the outcome.
import type pg from 'pg';
import { ack, deadLetter, type Handler, type Outcome } from '../../internal/pubsub/index.js';
import { locationCodec, measurementBatchCodec } from '../../internal/routing/index.js';
import {
  decodeDeviceMessage,
  failureOutcome,
  isItemFault,
  isOutcome,
  unknownSerialOutcome,
} from '../../internal/sensorlogic/index.js';
import type { LastSeen, SensorDirectory } from '../../internal/storage/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import { validateLocation, validateMeasurementBatch } from '../../internal/validation/index.js';
import { Batcher } from './batcher.js';
import { writeLocations, type ResolvedLocation } from './location-writer.js';
import { writeMeasurementBatches, type ResolvedBatch } from './measurement-writer.js';
import type { IngesterMetrics } from './metrics.js';

export interface IngestDeps {
  pool: pg.Pool;
  directory: SensorDirectory;
  lastSeen: LastSeen;
  metrics: IngesterMetrics;
  logger: Logger;
  batchRows: number;
  flushIntervalMs: number;
  unknownSerialTimeoutMs: number;
}

/** Measurement groups written at once (see the lanes below). */
const MEASUREMENT_LANES = 2;

export function createIngestHandlers(deps: IngestDeps) {
  const { pool, directory, metrics, logger, lastSeen } = deps;
  // A group that failed: wait for the database, or (one item's fault) dead-letter that item.
  const onWriteFailure = (what: string) => (error: unknown) => {
    const outcome = failureOutcome(error);
    logger.warn({ err: error, outcome: outcome.kind }, `writing ${what} failed`);
    return outcome;
  };

  // One lane per concurrent group, each sensor always in the same lane: a lane's group is
  // written while another lane's is sent (profile: with one group at a time PostgreSQL idled
  // between groups), and two groups in flight never hold the same sensor's block lock
  // (measurement-writer.ts), so neither waits for the other.
  const lanes = Array.from(
    { length: MEASUREMENT_LANES },
    () =>
      new Batcher<ResolvedBatch, Outcome>({
        maxSize: deps.batchRows,
        maxWaitMs: deps.flushIntervalMs,
        sizeOf: (b) => b.batch.values.length,
        onFlushError: onWriteFailure('measurements'),
        isItemFault,
        flush: async (items) => {
          const stopTimer = metrics.commitSeconds.startTimer();
          const results = await writeMeasurementBatches(pool, items);
          stopTimer();
          const now = Date.now();
          return items.map(({ sensorId, batch }, i): Outcome => {
            lastSeen.seen(sensorId, now);
            const result = results[i];
            if (result?.kind === 'overlap') return deadLetter(result.reason, 'overlapping block');
            if (result?.kind === 'duplicate') {
              metrics.duplicates.inc();
              return ack();
            }
            metrics.batches.inc();
            metrics.samples.inc(batch.values.length);
            if (batch.publishedAtMs > 0)
              metrics.latency.observe((now - batch.publishedAtMs) / 1000);
            return ack();
          });
        },
      }),
  );
  const measurements = {
    add: (item: ResolvedBatch) => lanes[item.sensorId % lanes.length]!.add(item),
    close: () => Promise.all(lanes.map((lane) => lane.close())),
  };

  const locations = new Batcher<ResolvedLocation, Outcome>({
    maxSize: 1_000,
    maxWaitMs: deps.flushIntervalMs,
    sizeOf: () => 1,
    onFlushError: onWriteFailure('locations'),
    isItemFault,
    flush: async (items) => {
      metrics.locations.inc(await writeLocations(pool, items));
      const now = Date.now();
      for (const item of items) lastSeen.seen(item.sensor.id, now);
      return items.map(() => ({ kind: 'ack' }) as const);
    },
  });

  const measurementHandler: Handler = async (delivery) => {
    const batch = decodeDeviceMessage(delivery, (bytes) =>
      validateMeasurementBatch(measurementBatchCodec.decode(bytes)),
    );
    if (isOutcome(batch)) return batch;
    const sensor = (await directory.resolve([batch.serial])).get(batch.serial);
    if (!sensor) {
      const sentAt = batch.publishedAtMs || batch.startTimeUs / 1000;
      return unknownSerialOutcome(batch.serial, sentAt, deps.unknownSerialTimeoutMs);
    }
    return measurements.add({ sensorId: sensor.id, batch });
  };

  const locationHandler: Handler = async (delivery) => {
    const fix = decodeDeviceMessage(delivery, (bytes) =>
      validateLocation(locationCodec.decode(bytes)),
    );
    if (isOutcome(fix)) return fix;
    const sensor = (await directory.resolve([fix.serial])).get(fix.serial);
    if (!sensor) return unknownSerialOutcome(fix.serial, fix.timeMs, deps.unknownSerialTimeoutMs);
    return locations.add({ sensor, fix });
  };

  return {
    measurementHandler,
    locationHandler,
    /** Commits whatever is gathered; call after the consumers are drained. */
    close: () => Promise.all([measurements.close(), locations.close()]).then(() => undefined),
  };
}
