// Turns deliveries into writes. Each handler decodes and checks the message (bad input →
// dead letter with the reason), resolves its serial (not enrolled yet → wait, then dead
// letter), and hands it to a batcher whose commit decides the outcome.
import type pg from 'pg';
import { requeue, type Handler, type Outcome } from '../../internal/pubsub/index.js';
import { locationCodec, measurementBatchCodec } from '../../internal/routing/index.js';
import {
  decodeDeviceMessage,
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

export function createIngestHandlers(deps: IngestDeps) {
  const { pool, directory, metrics, logger, lastSeen } = deps;
  const retryLater = (what: string) => (error: unknown) => {
    logger.error({ err: error }, `writing ${what} failed; requeueing the group`);
    return requeue(1000);
  };

  const measurements = new Batcher<ResolvedBatch, Outcome>({
    maxSize: deps.batchRows,
    maxWaitMs: deps.flushIntervalMs,
    sizeOf: (b) => b.batch.values.length,
    // One group is written while the next is sent (profile: with one, PostgreSQL idled
    // between groups). Two groups with the same (sensor, sequence) cannot deadlock: both
    // lock ingested_batch keys in sorted order (measurement-writer.ts).
    concurrency: 2,
    onFlushError: retryLater('measurements'),
    flush: async (items) => {
      const stopTimer = metrics.commitSeconds.startTimer();
      const results = await writeMeasurementBatches(pool, items);
      stopTimer();
      const now = Date.now();
      items.forEach(({ sensorId, batch }, i) => {
        lastSeen.seen(sensorId, now);
        if (results[i] === 'duplicate') return metrics.duplicates.inc();
        metrics.batches.inc();
        metrics.samples.inc(batch.values.length);
        if (batch.publishedAtMs > 0) metrics.latency.observe((now - batch.publishedAtMs) / 1000);
      });
      return items.map(() => ({ kind: 'ack' }) as const);
    },
  });

  const locations = new Batcher<ResolvedLocation, Outcome>({
    maxSize: 1_000,
    maxWaitMs: deps.flushIntervalMs,
    sizeOf: () => 1,
    onFlushError: retryLater('locations'),
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
