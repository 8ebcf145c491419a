// Database: what each table costs on disk, what a stored sample costs, how TimescaleDB
// compresses, and which statements take the time (pg_stat_statements).
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { baseDashboard, UIDS } from './common.js';
import { sql } from './sql-query.js';

/** table_storage: migration 0018, chunks included where TimescaleDB is installed. */
const SIZES_SQL = `
  SELECT table_name AS "table", hypertable, table_bytes AS "rows", index_bytes AS "indexes",
    total_bytes AS total
  FROM table_storage
  ORDER BY total_bytes DESC`;

/** Everything the waveform table holds (rows, indexes, TOAST) over the samples in it. */
const BYTES_PER_SAMPLE_SQL = `
  SELECT st.total_bytes::float8 / nullif(m.samples, 0) AS "bytes per sample",
    m.samples AS "samples stored"
  FROM table_storage st
  CROSS JOIN (SELECT sum(sample_count) AS samples FROM sensor_measurement) AS m
  WHERE st.table_name = 'sensor_measurement'`;

const COMPRESSION_SQL = `
  SELECT table_name AS "table", total_chunks AS chunks, compressed_chunks AS compressed,
    before_bytes AS "before", after_bytes AS "after",
    before_bytes::float8 / nullif(after_bytes, 0) AS ratio
  FROM table_compression
  ORDER BY table_name`;

/**
 * The statements that take the most time per call, on this database. Grafana's role sees their
 * text through pg_read_all_stats (dependencies/timescaledb/init/001-init.sh).
 */
const SLOWEST_SQL = `
  SELECT left(regexp_replace(s.query, '\\s+', ' ', 'g'), 200) AS statement, r.rolname AS "role",
    s.calls, s.mean_exec_time / 1000 AS "mean", s.total_exec_time / 1000 AS "total",
    s.rows / nullif(s.calls, 0) AS "rows per call"
  FROM pg_stat_statements s
  JOIN pg_roles r ON r.oid = s.userid
  WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  ORDER BY s.mean_exec_time DESC
  LIMIT 20`;

export function databaseDashboard() {
  return baseDashboard(
    UIDS.database,
    'Database',
    'Table and index size per table, bytes per stored sample, TimescaleDB compression and the slowest statements.',
  )
    .withPanel(
      new stat.PanelBuilder()
        .title('Waveform storage')
        .description(
          'Bytes on disk per stored sample of sensor_measurement (a float4 sample is 4 bytes).',
        )
        .withTarget(sql(BYTES_PER_SAMPLE_SQL))
        .decimals(2)
        .span(8)
        .height(5),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Compression (TimescaleDB)')
        .description('Empty where TimescaleDB is not installed (the local stack).')
        .withTarget(sql(COMPRESSION_SQL))
        .overrideByName('before', [{ id: 'unit', value: 'bytes' }])
        .overrideByName('after', [{ id: 'unit', value: 'bytes' }])
        .span(16)
        .height(5),
    )
    .withPanel(
      new bargauge.PanelBuilder()
        .title('Size per table')
        .withTarget(sql(SIZES_SQL))
        .unit('bytes')
        .span(24)
        .height(10),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Slowest statements (mean time per call)')
        .withTarget(sql(SLOWEST_SQL))
        .overrideByName('mean', [{ id: 'unit', value: 's' }])
        .overrideByName('total', [{ id: 'unit', value: 's' }])
        .span(24)
        .height(10),
    );
}
