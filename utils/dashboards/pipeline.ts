// Pipeline: the services and the broker as Prometheus sees them (dependencies/prometheus).
// Every service labels its metrics with `service` (internal/telemetry createMetricsRegistry);
// RabbitMQ's per-queue numbers come from its plugin's /metrics/detailed endpoint.
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { baseDashboard, UIDS } from './common.js';
import { PROMETHEUS } from './datasources.js';

const promql = (expr: string, legend: string, refId = 'A') =>
  new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS)
    .expr(expr)
    .legendFormat(legend)
    .range()
    .refId(refId);

const percentiles = (histogram: string) =>
  [0.5, 0.95, 0.99].map((q, i) =>
    promql(
      `histogram_quantile(${q}, sum by (le) (rate(${histogram}_bucket[$__rate_interval])))`,
      `p${q * 100}`,
      String.fromCharCode(65 + i),
    ),
  );

const panel = (title: string, unit: string, targets: prometheus.DataqueryBuilder[], span = 12) =>
  new timeseries.PanelBuilder()
    .title(title)
    .datasource(PROMETHEUS)
    .targets(targets)
    .unit(unit)
    .span(span)
    .height(8);

/**
 * Messages the services parked in sensor.all.deadletter, by the queue they came from and why
 * (internal/pubsub/dead-letter-metric.ts; `iotctl get deadletters` shows the full reasons).
 */
const DEAD_LETTERED =
  'sum by (service, queue, cause) (increase(iot_dead_letters_total[$__rate_interval]))';

export function pipelineDashboard() {
  return baseDashboard(
    UIDS.pipeline,
    'Pipeline',
    'Ingest rate, publish-to-commit and publish-to-feature latency, dead letters, queues and the services themselves.',
  )
    .withPanel(
      panel('Ingest rate', 'short', [
        promql('sum(rate(iot_ingest_samples_total[$__rate_interval]))', 'samples/s', 'A'),
        promql('sum(rate(iot_ingest_batches_total[$__rate_interval]))', 'batches/s', 'B'),
      ]),
    )
    .withPanel(
      panel('Dead-lettered messages by cause', 'short', [
        promql(DEAD_LETTERED, '{{service}} {{queue}}: {{cause}}'),
      ]),
    )
    .withPanel(panel('Publish → commit latency', 's', percentiles('iot_ingest_latency_seconds')))
    .withPanel(
      panel('Publish → features latency', 's', percentiles('iot_analytics_latency_seconds')),
    )
    .withPanel(
      panel('Queue depth', 'short', [
        promql('sum by (queue) (rabbitmq_detailed_queue_messages_ready)', '{{queue}} ready', 'A'),
        promql(
          'sum by (queue) (rabbitmq_detailed_queue_messages_unacked)',
          '{{queue}} unacked',
          'B',
        ),
      ]),
    )
    .withPanel(
      panel('Consumers per queue', 'short', [
        promql('sum by (queue) (rabbitmq_detailed_queue_consumers)', '{{queue}}'),
      ]),
    )
    .withPanel(panel('Up', 'short', [promql('up', '{{job}} {{instance}}')], 8))
    .withPanel(
      panel(
        'Memory (resident)',
        'bytes',
        [promql('process_resident_memory_bytes', '{{service}}')],
        8,
      ),
    )
    .withPanel(
      panel(
        'Event-loop lag p99',
        's',
        [promql('nodejs_eventloop_lag_p99_seconds', '{{service}}')],
        8,
      ),
    );
}
