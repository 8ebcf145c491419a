// Geotracking: where every target with a GPS fix is now, coloured by its health, and the
// track of each mobile target over the range.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as geomap from '@grafana/grafana-foundation-sdk/geomap';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { baseDashboard, targetVariable, UIDS } from './common.js';
import { sql } from './sql-query.js';

/**
 * Each target's latest fix (one index lookup per target, target_location_target_id_time_idx)
 * and its health: the worst of its open alarms (info 1, warning 2, critical 3) and of its
 * sensors' latest ISO zones (B 1, C 2, D 3), 0 when all is well.
 */
export const LATEST_POSITION_SQL = `
  WITH alarms AS (
    SELECT s.target_id,
      max(CASE a.severity WHEN 'critical' THEN 3 WHEN 'major' THEN 2 ELSE 1 END) AS level
    FROM alarm a JOIN sensor s ON s.id = a.sensor_id
    WHERE a.cleared_at IS NULL
    GROUP BY s.target_id
  ), zones AS (
    SELECT s.target_id,
      max(CASE z.iso_zone WHEN 'D' THEN 3 WHEN 'C' THEN 2 WHEN 'B' THEN 1 ELSE 0 END) AS level
    FROM sensor s
    CROSS JOIN LATERAL (
      SELECT f.iso_zone FROM sensor_feature f
      WHERE f.sensor_id = s.id ORDER BY f.window_start DESC LIMIT 1
    ) AS z
    GROUP BY s.target_id
  )
  SELECT t.name AS target, t.kind,
    ST_Y(p.location::geometry) AS latitude, ST_X(p.location::geometry) AS longitude,
    p.time AS "last fix", p.speed_mps * 3.6 AS "speed (km/h)",
    greatest(coalesce(alarms.level, 0), coalesce(zones.level, 0)) AS health
  FROM target t
  CROSS JOIN LATERAL (
    SELECT l.time, l.location, l.speed_mps FROM target_location l
    WHERE l.target_id = t.id ORDER BY l.time DESC LIMIT 1
  ) AS p
  LEFT JOIN alarms ON alarms.target_id = t.id
  LEFT JOIN zones ON zones.target_id = t.id
  WHERE t.name IN ($target)
  ORDER BY t.name`;

/** One averaged point per target and $__interval bucket: a day of 1 Hz fixes stays light. */
export const TRACKS_SQL = `
  SELECT $__timeGroupAlias(l.time, $__interval), t.name AS target,
    avg(ST_Y(l.location::geometry)) AS latitude, avg(ST_X(l.location::geometry)) AS longitude,
    avg(l.speed_mps) * 3.6 AS "speed (km/h)"
  FROM target_location l JOIN target t ON t.id = l.target_id
  WHERE t.kind = 'mobile' AND t.name IN ($target) AND $__timeFilter(l.time)
  GROUP BY 1, 2
  ORDER BY 1`;

/** Health levels as colours: 0 well, 1 watch, 2 act soon, 3 act now. */
const HEALTH_THRESHOLDS = new dashboard.ThresholdsConfigBuilder()
  .mode(dashboard.ThresholdsMode.Absolute)
  .steps([
    { value: null, color: 'green' },
    { value: 1, color: 'yellow' },
    { value: 2, color: 'orange' },
    { value: 3, color: 'red' },
  ]);

const coordinates = () =>
  new common.FrameGeometrySourceBuilder()
    .mode(common.FrameGeometrySourceMode.Coords)
    .latitude('latitude')
    .longitude('longitude');

const basemap = () =>
  new common.MapLayerOptionsBuilder().type('osm-standard').name('OpenStreetMap');

export function geotrackingDashboard() {
  return baseDashboard(
    UIDS.geotracking,
    'Geotracking',
    'Every target at its latest GPS fix, coloured by its worst open alarm or ISO zone, and the tracks of mobile targets.',
  )
    .time({ from: 'now-1h', to: 'now' })
    .withVariable(targetVariable())
    .withPanel(
      new geomap.PanelBuilder()
        .title('Targets now')
        .withTarget(sql(LATEST_POSITION_SQL))
        .basemap(basemap())
        .layers([
          new common.MapLayerOptionsBuilder()
            .type('markers')
            .name('targets')
            .location(coordinates())
            .tooltip(true)
            .config({
              style: {
                color: { field: 'health', fixed: 'green' },
                size: { fixed: 8 },
                text: { field: 'target', mode: 'field' },
              },
            }),
        ])
        .thresholds(HEALTH_THRESHOLDS)
        .span(12)
        .height(12),
    )
    .withPanel(
      new geomap.PanelBuilder()
        .title('Tracks of mobile targets')
        .withTarget(sql(TRACKS_SQL))
        .basemap(basemap())
        .layers([
          new common.MapLayerOptionsBuilder()
            .type('route')
            .name('tracks')
            .location(coordinates())
            .tooltip(true)
            .config({ style: { color: { fixed: 'blue' }, lineWidth: 2 } }),
        ])
        .span(12)
        .height(12),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Latest fix per target')
        .withTarget(sql(LATEST_POSITION_SQL))
        .thresholds(HEALTH_THRESHOLDS)
        .overrideByName('health', [
          { id: 'custom.cellOptions', value: { type: 'color-background' } },
        ])
        .span(24)
        .height(8),
    );
}
