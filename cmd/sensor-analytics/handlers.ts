// Turns deliveries into analysed windows. Each message is decoded and checked (bad input →
// dead letter with the reason), its serial resolved (not enrolled yet → wait, then dead
// letter); one sensor's batches are analysed strictly one after another, in arrival order,
// while many sensors run at once; the features are written, announced on
// sensor.<serial>.features, committed, and the message is acked. A database that is down
// (or a broker that does not confirm the event) → wait for it (failureOutcome).
import type pg from 'pg';
import { ack, inOrderPerKey, type Handler, type Publisher } from '../../internal/pubsub/index.js';
import {
  EXCHANGE,
  derivedKey,
  featureEventCodec,
  measurementBatchCodec,
} from '../../internal/routing/index.js';
import {
  decodeDeviceMessage,
  failureOutcome,
  isOutcome,
  unknownSerialOutcome,
} from '../../internal/sensorlogic/index.js';
import type { SensorDirectory } from '../../internal/storage/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import { validateMeasurementBatch } from '../../internal/validation/index.js';
import { featureEvent } from './feature-row.js';
import type { MachineDirectory } from './machine-directory.js';
import type { AnalyticsMetrics } from './metrics.js';
import {
  analyseBatch,
  batchRun,
  type AnalysedWindow,
  type AnalysisSettings,
} from './sensor-analysis.js';

export interface AnalyticsDeps {
  pool: pg.Pool;
  directory: SensorDirectory;
  machines: MachineDirectory;
  publisher: Publisher;
  metrics: AnalyticsMetrics;
  logger: Logger;
  settings: AnalysisSettings;
  unknownSerialTimeoutMs: number;
}

export function createAnalyticsHandler(deps: AnalyticsDeps): Handler {
  const { pool, directory, machines, publisher, metrics, logger, settings } = deps;

  /** One FeatureEvent per window, each confirmed by the broker (see analyseBatch). */
  const announce = async (
    serial: string,
    publishedAtMs: number,
    windows: readonly AnalysedWindow[],
  ): Promise<void> => {
    const analysedAt = Date.now();
    for (const { window, features } of windows) {
      await publisher.publish(
        EXCHANGE,
        derivedKey(serial, 'features'),
        featureEventCodec.encode(featureEvent(serial, window, features, publishedAtMs, analysedAt)),
      );
    }
  };

  const handle: Handler = async (delivery) => {
    const batch = decodeDeviceMessage(delivery, (bytes) =>
      validateMeasurementBatch(measurementBatchCodec.decode(bytes)),
    );
    if (isOutcome(batch)) return batch;
    const startedAt = process.hrtime.bigint();
    try {
      const sensor = (await directory.resolve([batch.serial])).get(batch.serial);
      if (!sensor) {
        const sentAt = batch.publishedAtMs || batch.startTimeUs / 1000;
        return unknownSerialOutcome(batch.serial, sentAt, deps.unknownSerialTimeoutMs);
      }
      const machine = await machines.machineOf(sensor.id);
      const run = batchRun(batch);
      const result = await analyseBatch(pool, sensor.id, run, machine, settings, (windows) =>
        announce(batch.serial, batch.publishedAtMs, windows),
      );
      if (result.kind === 'duplicate') {
        metrics.duplicates.inc();
        return ack();
      }
      const committedAt = Date.now();
      if (result.gap) metrics.gaps.inc();
      metrics.samples.inc(run.samples.length);
      for (const { features } of result.windows) {
        metrics.windows.inc({ diagnosis: features.diagnosis?.kind ?? 'none' });
        if (batch.publishedAtMs > 0) {
          metrics.latency.observe(Math.max(0, committedAt - batch.publishedAtMs) / 1000);
        }
      }
      metrics.processingSeconds.observe(Number(process.hrtime.bigint() - startedAt) / 1e9);
      return ack();
    } catch (error) {
      const outcome = failureOutcome(error);
      logger.warn({ err: error, serial: batch.serial, outcome: outcome.kind }, 'handling failed');
      return outcome;
    }
  };

  // One sensor's batches one after another (a window needs the one before it taken in);
  // the serial comes from the routing key, so even an undecodable message has its place.
  return inOrderPerKey((delivery) => delivery.routingKey, handle);
}
