// The data sources the dashboards use, by the stable uids that
// dependencies/grafana/provisioning/datasources/datasources.yaml gives them. A dashboard refers
// to a data source only through these, so a renamed or re-created data source keeps every panel.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** PostgreSQL as iot_readonly, TimescaleDB option on (time_bucket for $__timeGroup). */
export const POSTGRES: dashboard.DataSourceRef = {
  type: 'grafana-postgresql-datasource',
  uid: 'iot-postgres',
};
/** The Prometheus of dependencies/prometheus/prometheus.yml: every service and RabbitMQ. */
export const PROMETHEUS: dashboard.DataSourceRef = { type: 'prometheus', uid: 'iot-prometheus' };
/** Loki, fed by Alloy with the sensor log files of sensor-logs-ingester. */
export const LOKI: dashboard.DataSourceRef = { type: 'loki', uid: 'iot-loki' };

export const DATASOURCES = [POSTGRES, PROMETHEUS, LOKI] as const;
