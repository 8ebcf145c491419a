// Vibration: one sensor (chosen among a target's) from the raw waveform to the diagnosis.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as xychart from '@grafana/grafana-foundation-sdk/xychart';
import { baseDashboard, sensorVariable, targetVariable, UIDS } from './common.js';
import { LOKI, POSTGRES } from './datasources.js';
import { featureTrendBranches, featureTrendSql, unionInTimeOrder } from './feature-trend.js';
import { sql, sqlSeries } from './sql-query.js';

/**
 * Samples a raw-waveform point may read: about what PostgreSQL buckets in a few hundred
 * milliseconds on a small machine (0.76 µs a sample measured on the development machine under
 * load), so the panel answers at any zoom.
 */
const RAW_SAMPLE_BUDGET = 500_000;

const SENSOR_ID = `(SELECT id FROM sensor WHERE serial_number = '$sensor')`;

/**
 * The sensor's sample rate, a hidden variable: in the waveform's gates it makes a constant
 * that PostgreSQL folds when planning, so it plans only the branch that answers. Read from the
 * table in the query, the gate was decided only when running, after the parallel workers of
 * the branch it turned off had started (about 250 ms of a 500 ms budget in bench:dashboards).
 */
const rateVariable = () =>
  new dashboard.QueryVariableBuilder('rate')
    .datasource(POSTGRES)
    .query(`SELECT sample_frequency FROM sensor WHERE serial_number = '$sensor'`)
    .hide(dashboard.VariableHide.HideVariable)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged);

/** Whether the range holds few enough of the sensor's samples to read them all. */
const RAW_IN_BUDGET = `($rate * extract(epoch FROM $__timeTo()::timestamptz - $__timeFrom()::timestamptz)
      <= ${RAW_SAMPLE_BUDGET})`;

/**
 * Within the budget, the lowest and highest sample per $__interval bucket, read from the blocks
 * that overlap the range (migration 0013; a block lasts at most 10 minutes): a spike survives
 * any zoom, where an average would flatten it.
 */
const RAW_BRANCH = `  SELECT $__timeGroupAlias(u.at, $__interval), min(u.v) AS "low", max(u.v) AS "high"
  FROM sensor_measurement m
  CROSS JOIN LATERAL (
    SELECT m.start_time + (x.n - 1) / m.sample_rate_hz * interval '1 second' AS at, x.v
    FROM unnest(m.samples) WITH ORDINALITY AS x (v, n)
  ) AS u
  WHERE m.sensor_id = ${SENSOR_ID}
    AND m.start_time > $__timeFrom()::timestamptz - interval '10 minutes'
    AND m.start_time < $__timeTo() AND m.end_time > $__timeFrom()
    AND $__timeFilter(u.at) AND ${RAW_IN_BUDGET}
  GROUP BY 1`;

/**
 * Blocks an extrema point may read: two float4 of each (migration 0021). bench:dashboards
 * reads a day of one-second blocks (86,400) in 67 ms, 0.8 µs a block, so this many answer in
 * about 0.4 s, inside the 500 ms a panel may take: almost six days of one-second blocks, most
 * of the seven days of raw data kept. Counted with a LIMIT over the primary key, so the gate
 * itself stays cheap on any range.
 */
const BLOCK_BUDGET = 500_000;

/** Whether the range holds few enough of the sensor's blocks to read their extrema. */
const BLOCKS_IN_BUDGET = `((SELECT count(*) FROM (
        SELECT 1 FROM sensor_measurement
        WHERE sensor_id = ${SENSOR_ID} AND $__timeFilter(start_time)
        LIMIT ${BLOCK_BUDGET + 1}) AS b) <= ${BLOCK_BUDGET})`;

/**
 * Whether the blocks still cover the range: raw-data retention (7 days) drops blocks while the
 * features of that time stay, so the oldest block must not be later than the range's start or
 * the sensor's first feature window, whichever is later (a sensor without features: covered).
 */
const BLOCKS_COVER_RANGE = `((SELECT min(start_time) FROM sensor_measurement
        WHERE sensor_id = ${SENSOR_ID})
      <= GREATEST($__timeFrom()::timestamptz, COALESCE((SELECT min(window_start)
        FROM sensor_feature WHERE sensor_id = ${SENSOR_ID}), 'infinity')))`;

/** Past the sample budget, where block extrema answer. */
const EXTREMA_GATE = `NOT ${RAW_IN_BUDGET} AND ${BLOCKS_IN_BUDGET} AND ${BLOCKS_COVER_RANGE}`;

/**
 * Past the sample budget, the lowest and highest sample per bucket from the blocks' own
 * extrema: exact, since a bucket's extremes are the extremes of its blocks' (a block counts
 * in the bucket it starts in; long ranges have buckets of many blocks). Blocks stored before
 * migration 0021 have none and are read whole.
 */
const EXTREMA_BRANCH = `  SELECT $__timeGroupAlias(m.start_time, $__interval),
    min(COALESCE(m.sample_min, (SELECT min(v) FROM unnest(m.samples) AS v))) AS "low",
    max(COALESCE(m.sample_max, (SELECT max(v) FROM unnest(m.samples) AS v))) AS "high"
  FROM sensor_measurement m
  WHERE m.sensor_id = ${SENSOR_ID} AND $__timeFilter(m.start_time)
    AND ${EXTREMA_GATE}
  GROUP BY 1`;

/**
 * Otherwise (too many blocks, or a range reaching back past raw-data retention), ± the highest
 * absolute sample of the windows in each bucket: the envelope the spikes set, from the
 * features and their per-minute and per-hour aggregates.
 */
const WAVEFORM_SQL = unionInTimeOrder([
  RAW_BRANCH,
  EXTREMA_BRANCH,
  ...featureTrendBranches(
    [
      {
        name: 'low',
        windows: '-max(f.acceleration_peak_g)',
        aggregates: '-max(f.acceleration_peak_g)',
      },
      {
        name: 'high',
        windows: 'max(f.acceleration_peak_g)',
        aggregates: 'max(f.acceleration_peak_g)',
      },
    ],
    `NOT ${RAW_IN_BUDGET} AND NOT (${EXTREMA_GATE})`,
  ),
]);

const LEVELS_SQL = featureTrendSql([
  {
    name: 'acceleration RMS (g)',
    windows: 'avg(f.acceleration_rms_g)',
    aggregates: 'avg(f.acceleration_rms_g)',
  },
  {
    name: 'velocity RMS (mm/s)',
    windows: 'avg(f.velocity_rms_mm_s)',
    aggregates: 'avg(f.velocity_rms_mm_s)',
  },
]);

/** The aggregates keep the peak and the mean RMS, not the crest factor: their ratio stands in. */
const IMPULSIVENESS_SQL = featureTrendSql([
  {
    name: 'crest factor',
    windows: 'max(f.crest_factor)',
    aggregates: 'max(f.acceleration_peak_g) / nullif(avg(f.acceleration_rms_g), 0)',
  },
  { name: 'kurtosis', windows: 'max(f.kurtosis)', aggregates: 'max(f.kurtosis_max)' },
]);

const ANOMALY_SQL = featureTrendSql([
  {
    name: 'anomaly score',
    windows: 'max(f.anomaly_score)',
    aggregates: 'max(f.anomaly_score_max)',
  },
]);

/** ISO 10816/20816 zone per bucket: the worst one ('A' < 'B' < 'C' < 'D' as text). */
const ZONE_SQL = `
  SELECT $__timeGroupAlias(f.window_start, $__interval), max(f.iso_zone) AS "ISO zone"
  FROM sensor_feature f JOIN sensor s ON s.id = f.sensor_id
  WHERE s.serial_number = '$sensor' AND $__timeFilter(f.window_start) AND f.iso_zone IS NOT NULL
  GROUP BY 1
  ORDER BY 1`;

/**
 * The defect frequencies of the target's bearing, in Hz, from its geometry and running speed
 * (the textbook kinematics internal/vibration uses): r = d/D·cos φ, BPFO = n/2·fr·(1 − r),
 * BPFI = n/2·fr·(1 + r), BSF = D/(2d)·fr·(1 − r²), FTF = fr/2·(1 − r).
 */
const MACHINE_LINES_CTE = `
  WITH machine AS (
    SELECT t.rpm / 60.0 AS fr, t.bearing_balls AS n,
      t.bearing_ball_mm / t.bearing_pitch_mm * cos(radians(coalesce(t.bearing_angle_deg, 0))) AS r,
      t.bearing_pitch_mm / t.bearing_ball_mm AS pd
    FROM sensor s JOIN target t ON t.id = s.target_id
    WHERE s.serial_number = '$sensor'
  ), lines AS (
    SELECT fr, n / 2.0 * fr * (1 - r) AS bpfo, n / 2.0 * fr * (1 + r) AS bpfi,
      pd / 2.0 * fr * (1 - r * r) AS bsf, fr / 2.0 * (1 - r) AS ftf
    FROM machine
  )`;

/**
 * One of the latest spectra of sensor_spectrum, one row per line (value i covers
 * [i·step, (i+1)·step)), each marked frequency as its own column, set only on its line.
 */
function spectrumSql(
  spectrum: 'spectrum' | 'envelope_spectrum',
  step: 'spectrum_step_hz' | 'envelope_step_hz',
  label: string,
  markers: Record<string, string>,
): string {
  const marked = Object.entries(markers).map(
    ([name, hz]) =>
      `,\n    CASE WHEN floor(${hz} / sp.${step}) = u.i - 1 THEN u.v END AS "${name}"`,
  );
  return `${MACHINE_LINES_CTE}
  SELECT (u.i - 1) * sp.${step} AS "frequency (Hz)", u.v AS "${label}"${marked.join('')}
  FROM sensor_spectrum sp JOIN sensor s ON s.id = sp.sensor_id
  CROSS JOIN LATERAL unnest(sp.${spectrum}) WITH ORDINALITY AS u (v, i)
  LEFT JOIN lines l ON true
  WHERE s.serial_number = '$sensor'
  ORDER BY 1`;
}

/** The latest acceleration spectrum, 1× and 2× running speed marked. */
const SPECTRUM_SQL = spectrumSql('spectrum', 'spectrum_step_hz', 'acceleration (g peak)', {
  '1×': 'l.fr',
  '2×': '2 * l.fr',
});

/** The latest envelope spectrum (3.2 kHz sensors and up), the bearing defect lines marked. */
const ENVELOPE_SQL = spectrumSql('envelope_spectrum', 'envelope_step_hz', 'envelope (g)', {
  BPFO: 'l.bpfo',
  BPFI: 'l.bpfi',
  BSF: 'l.bsf',
  FTF: 'l.ftf',
});

const ALARMS_SQL = `
  SELECT a.raised_at AS "raised", a.severity, a.rule, a.state, a.message
  FROM alarm a JOIN sensor s ON s.id = a.sensor_id
  WHERE s.serial_number = '$sensor' AND a.cleared_at IS NULL
  ORDER BY a.raised_at DESC`;

/** The newest lines first; a log panel over Loki shows the same lines with full-text search. */
const LOG_LINES_SQL = `
  SELECT l.time AS "time", l.level, l.message
  FROM sensor_log l JOIN sensor s ON s.id = l.sensor_id
  WHERE s.serial_number = '$sensor' AND $__timeFilter(l.time)
  ORDER BY l.time DESC
  LIMIT 500`;

/** ISO 10816 zones as colours: A new, B unrestricted, C restricted, D damage. */
const ZONE_COLOURS: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: {
      A: { color: 'green', index: 0 },
      B: { color: 'yellow', index: 1 },
      C: { color: 'orange', index: 2 },
      D: { color: 'red', index: 3 },
    },
  },
];

const spectrumPanel = (title: string, query: string, description: string) =>
  new xychart.PanelBuilder()
    .title(title)
    .description(description)
    .withTarget(sql(query))
    .span(12)
    .height(9)
    .pointSize({ fixed: 4 });

export function vibrationDashboard() {
  return baseDashboard(
    UIDS.vibration,
    'Vibration',
    'One sensor: raw waveform, feature trends, ISO zone, spectra with defect lines, anomaly score, alarms and logs.',
  )
    .withVariable(targetVariable())
    .withVariable(sensorVariable())
    .withVariable(rateVariable())
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Raw waveform')
        .description(
          `Acceleration in g: the lowest and highest sample of each point, from the samples themselves up to ${RAW_SAMPLE_BUDGET.toLocaleString('en')} in the range, then from each stored block's extremes up to ${BLOCK_BUDGET.toLocaleString('en')} blocks. Further (or older than the raw data kept): ± the highest absolute sample (peak) of the analysis windows in each point.`,
        )
        // Finer points than the data source's 1 s: a 10 s range is drawn from its samples.
        .interval('1ms')
        .withTarget(sqlSeries(WAVEFORM_SQL))
        .unit('g')
        .span(24)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Levels')
        .withTarget(sqlSeries(LEVELS_SQL))
        .span(12)
        .height(8)
        .overrideByName('velocity RMS (mm/s)', [
          { id: 'custom.axisPlacement', value: 'right' },
          { id: 'unit', value: 'velocitymms' },
        ]),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Impulsiveness')
        .description(
          'Crest factor and kurtosis rise with bearing impacts (3 is a Gaussian kurtosis).',
        )
        .withTarget(sqlSeries(IMPULSIVENESS_SQL))
        .span(12)
        .height(8),
    )
    .withPanel(
      new statetimeline.PanelBuilder()
        .title('ISO 10816/20816 zone')
        .withTarget(sqlSeries(ZONE_SQL))
        .mappings(ZONE_COLOURS)
        .span(24)
        .height(4),
    )
    .withPanel(
      spectrumPanel(
        'Latest spectrum',
        SPECTRUM_SQL,
        'Acceleration, g peak per line, up to rate / 2.56; 1× and 2× running speed marked.',
      ),
    )
    .withPanel(
      spectrumPanel(
        'Latest envelope spectrum',
        ENVELOPE_SQL,
        'Envelope of the resonance band (sensors of 3.2 kHz and more); BPFO, BPFI, BSF and FTF of the target bearing marked.',
      ),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Anomaly score')
        .description('Distance from the learned baseline; empty while the baseline is learning.')
        .withTarget(sqlSeries(ANOMALY_SQL))
        .span(12)
        .height(7),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Active alarms')
        .withTarget(sql(ALARMS_SQL))
        .span(12)
        .height(7),
    )
    .withPanel(
      new logs.PanelBuilder()
        .title('Sensor log (Loki)')
        .datasource(LOKI)
        .withTarget(
          new loki.DataqueryBuilder()
            .datasource(LOKI)
            .expr('{job="iot-sensor-logs", serial="$sensor"}')
            .refId('A'),
        )
        .showTime(true)
        .sortOrder(common.LogsSortOrder.Descending)
        .span(12)
        .height(8),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Sensor log (database)')
        .withTarget(sql(LOG_LINES_SQL))
        .span(12)
        .height(8),
    );
}
