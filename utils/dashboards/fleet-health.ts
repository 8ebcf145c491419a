// Fleet health: which sensors are heard from, which went quiet, how regularly they send, how
// long they have served, and what became of the commands sent to them.
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { baseDashboard, targetVariable, UIDS, vibrationLinkFor } from './common.js';
import { sql } from './sql-query.js';

/**
 * A sensor is online when heard from within a minute: even asleep it logs a heartbeat every
 * 10 s (the simulator's DEFAULT_HEARTBEAT_MS, as a real node's watchdog would), so a minute is
 * six missed heartbeats. Offline past ten minutes, the silence the issue names; stale between.
 */
const ONLINE_WITHIN = "interval '1 minute'";
const OFFLINE_AFTER = "interval '10 minutes'";

const STATUS_OF = `CASE
      WHEN s.last_seen >= now() - ${ONLINE_WITHIN} THEN 'online'
      WHEN s.last_seen >= now() - ${OFFLINE_AFTER} THEN 'stale'
      ELSE 'offline'
    END`;

const SENSORS_OF_TARGETS = `sensor s LEFT JOIN target t ON t.id = s.target_id
  WHERE (t.name IS NULL OR t.name IN ($target))`;

const STATUS_COUNTS_SQL = `
  SELECT count(*) FILTER (WHERE status = 'online') AS online,
    count(*) FILTER (WHERE status = 'stale') AS stale,
    count(*) FILTER (WHERE status = 'offline') AS offline
  FROM (SELECT ${STATUS_OF} AS status FROM ${SENSORS_OF_TARGETS}) AS fleet`;

const SILENT_SQL = `
  SELECT s.serial_number AS sensor, t.name AS target, s.last_seen AS "last seen",
    extract(epoch FROM now() - s.last_seen) AS "silent for"
  FROM ${SENSORS_OF_TARGETS}
    AND (s.last_seen IS NULL OR s.last_seen < now() - ${OFFLINE_AFTER})
  ORDER BY s.last_seen NULLS FIRST`;

/**
 * Per sensor: its status, when last heard, and the mean time between the batches it stored
 * in the range (the span of their starts over their count, read from the primary key alone).
 * Lifespan: time since it registered.
 */
const SENSORS_SQL = `
  SELECT s.serial_number AS sensor, t.name AS target, ${STATUS_OF} AS status, s.state,
    s.last_seen AS "last seen",
    extract(epoch FROM b.last_start - b.first_start) / nullif(b.batches - 1, 0)
      AS "mean time between batches",
    b.batches AS "batches in range",
    extract(epoch FROM now() - s.registered_at) AS lifespan,
    s.firmware_version AS firmware
  FROM sensor s LEFT JOIN target t ON t.id = s.target_id
  CROSS JOIN LATERAL (
    SELECT count(*) AS batches, min(m.start_time) AS first_start, max(m.start_time) AS last_start
    FROM sensor_measurement m
    WHERE m.sensor_id = s.id AND $__timeFilter(m.start_time)
  ) AS b
  WHERE t.name IS NULL OR t.name IN ($target)
  ORDER BY s.serial_number`;

const COMMANDS_SQL = `
  SELECT c.status, count(*) AS commands
  FROM sensor_command c JOIN sensor s ON s.id = c.sensor_id LEFT JOIN target t ON t.id = s.target_id
  WHERE (t.name IS NULL OR t.name IN ($target)) AND $__timeFilter(c.issued_at)
  GROUP BY c.status
  ORDER BY c.status`;

export function fleetHealthDashboard() {
  return baseDashboard(
    UIDS.fleet,
    'Fleet health',
    'Online, stale and offline sensors, the silent ones, batch regularity, lifespan and commands by status.',
  )
    .time({ from: 'now-1h', to: 'now' })
    .withVariable(targetVariable())
    .withPanel(
      new stat.PanelBuilder()
        .title('Sensors by status')
        .description(
          'Online: heard within 1 min; stale: 1-10 min; offline: more than 10 min or never.',
        )
        .withTarget(sql(STATUS_COUNTS_SQL))
        .span(12)
        .height(6),
    )
    .withPanel(
      new piechart.PanelBuilder()
        .title('Share by status')
        .withTarget(sql(STATUS_COUNTS_SQL))
        .span(12)
        .height(6),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Silent for more than 10 minutes')
        .withTarget(sql(SILENT_SQL))
        .overrideByName('silent for', [{ id: 'unit', value: 's' }])
        .overrideByName('sensor', [{ id: 'links', value: [vibrationLinkFor('sensor')] }])
        .span(12)
        .height(8),
    )
    .withPanel(
      new barchart.PanelBuilder()
        .title('Commands by status')
        .withTarget(sql(COMMANDS_SQL))
        .span(12)
        .height(8),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Sensors')
        .withTarget(sql(SENSORS_SQL))
        .overrideByName('mean time between batches', [{ id: 'unit', value: 's' }])
        .overrideByName('lifespan', [{ id: 'unit', value: 's' }])
        .overrideByName('sensor', [{ id: 'links', value: [vibrationLinkFor('sensor')] }])
        .span(24)
        .height(10),
    );
}
