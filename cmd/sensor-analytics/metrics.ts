// What sensor-analytics counts, for /metrics. CPU per sample is
// rate(process_cpu_seconds_total) / rate(iot_analytics_samples_total).
import { Counter, Histogram, type Registry } from 'prom-client';

export function analyticsMetrics(registry: Registry) {
  const registers = [registry];
  return {
    windows: new Counter({
      name: 'iot_analytics_windows_total',
      help: 'Windows analysed and stored, by diagnosis ("none" when there was none)',
      labelNames: ['diagnosis'],
      registers,
    }),
    samples: new Counter({
      name: 'iot_analytics_samples_total',
      help: 'Samples taken into windows',
      registers,
    }),
    duplicates: new Counter({
      name: 'iot_analytics_duplicate_batches_total',
      help: 'Batches skipped because a stored window already covers them (redelivered)',
      registers,
    }),
    gaps: new Counter({
      name: 'iot_analytics_gaps_total',
      help: 'Batches that did not follow the one before (a partial window was dropped)',
      registers,
    }),
    settled: new Counter({
      name: 'iot_analytics_messages_total',
      help: 'Messages settled, by outcome (ack, dead-letter, requeue)',
      labelNames: ['outcome'],
      registers,
    }),
    recomputes: new Counter({
      name: 'iot_analytics_recomputes_total',
      help: 'Feature recompute jobs finished, by status (done, failed)',
      labelNames: ['status'],
      registers,
    }),
    recomputedWindows: new Counter({
      name: 'iot_analytics_recomputed_windows_total',
      help: 'Windows written by feature recomputes',
      registers,
    }),
    processingSeconds: new Histogram({
      name: 'iot_analytics_processing_seconds',
      help: 'Time to analyse one batch and commit what it completed',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    latency: new Histogram({
      name: 'iot_analytics_latency_seconds',
      help: "Sensor publish time of a window's last batch to its features committed",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
}

export type AnalyticsMetrics = ReturnType<typeof analyticsMetrics>;
