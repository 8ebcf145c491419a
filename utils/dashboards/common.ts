// What every dashboard shares: the uids it is known by, the links between them, the sensor and
// target variables, and the defaults (UTC, a refresh that keeps up with 1 s batches).
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { POSTGRES } from './datasources.js';

export const UIDS = {
  vibration: 'iot-vibration',
  geotracking: 'iot-geotracking',
  fleet: 'iot-fleet-health',
  pipeline: 'iot-pipeline',
  database: 'iot-database',
} as const;

/** Every dashboard carries this tag; the links menu lists the tagged ones. */
const TAG = 'iot';

/** A dashboard with the platform's defaults and a menu of the other dashboards. */
export function baseDashboard(uid: string, title: string, description: string) {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .timezone('utc')
    .time({ from: 'now-15m', to: 'now' })
    .refresh('30s')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .link(
      new dashboard.DashboardLinkBuilder('Dashboards')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

/**
 * Targets, several or all: the sensor list below follows it. With "All" Grafana sends every
 * value, each quoted, so queries use `IN ($target)`.
 */
export const targetVariable = () =>
  new dashboard.QueryVariableBuilder('target')
    .label('Target')
    .datasource(POSTGRES)
    .query('SELECT name FROM target ORDER BY 1')
    .multi(true)
    .includeAll(true)
    .current({ text: 'All', value: '$__all' })
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.AlphabeticalAsc);

/**
 * One sensor, as a single value: Grafana substitutes it unquoted, so queries write
 * `'$sensor'` (serials are 1-32 of A-Z a-z 0-9 -: nothing to escape). Sensors on no target
 * are listed whatever the target.
 */
export const sensorVariable = () =>
  new dashboard.QueryVariableBuilder('sensor')
    .label('Sensor')
    .datasource(POSTGRES)
    .query(
      `SELECT s.serial_number FROM sensor s LEFT JOIN target t ON t.id = s.target_id
 WHERE t.name IS NULL OR t.name IN ($target) ORDER BY 1`,
    )
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);

/** A data link from a row of a table to the vibration dashboard of that row's sensor. */
export const vibrationLinkFor = (serialField: string) => ({
  title: 'Vibration of ${__data.fields["' + serialField + '"]}',
  url: `/d/${UIDS.vibration}?var-sensor=\${__data.fields["${serialField}"]}&\${__url_time_range}`,
});
