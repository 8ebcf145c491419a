// What the logs ingester counts, on /metrics.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Outcome } from '../../internal/pubsub/index.js';
import type { BatchReport } from './log-batch-writer.js';

export interface IngesterMetrics {
  /** Feeds LogBatchWriter's onBatch. */
  onBatch(report: BatchReport): void;
  /** Feeds Consumer's onSettled. */
  onSettled(outcome: Outcome['kind']): void;
}

export function createIngesterMetrics(registry: Registry): IngesterMetrics {
  const stored = new Counter({
    name: 'iot_sensor_logs_lines_stored_total',
    help: 'Log lines inserted into sensor_log.',
    registers: [registry],
  });
  const duplicates = new Counter({
    name: 'iot_sensor_logs_duplicates_skipped_total',
    help: 'Log lines already in sensor_log (redeliveries, device resends), not inserted again.',
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: 'iot_sensor_logs_dead_lettered_total',
    help: 'Log messages parked in sensor.all.deadletter (undecodable, invalid, unknown serial).',
    registers: [registry],
  });
  const requeued = new Counter({
    name: 'iot_sensor_logs_requeued_total',
    help: 'Log messages given back to the queue (serial not enrolled yet, storage failure).',
    registers: [registry],
  });
  const failedBatches = new Counter({
    name: 'iot_sensor_logs_batches_failed_total',
    help: 'Batches whose insert or file write failed; their lines were requeued.',
    registers: [registry],
  });
  const insertSeconds = new Histogram({
    name: 'iot_sensor_logs_batch_insert_seconds',
    help: 'Time of one batch INSERT into sensor_log.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    onBatch(report) {
      stored.inc(report.stored);
      duplicates.inc(report.duplicates);
      if (report.failed) failedBatches.inc();
      if (report.insertSeconds !== undefined) insertSeconds.observe(report.insertSeconds);
    },
    onSettled(outcome) {
      if (outcome === 'dead-letter') deadLettered.inc();
      else if (outcome === 'requeue') requeued.inc();
    },
  };
}
