// What `iotctl watch` shows of one sensor, kept up to date from the API's event stream: the
// latest window's levels (RMS, velocity and ISO zone, crest, kurtosis, dominant frequency,
// bearing lines), a sparkline of RMS over the last minute, connectivity and the open alarms.
// Pure: fed with the sensor, features and alarms as the API gives them, rendered as text.
import { actionOutcome } from './alarm-views.js';
import type { Alarm, Feature, Sensor } from './api-types.js';
import { age, orNone } from './output.js';

/** The sparkline's span: the last minute, as the issue asks. */
export const SPARKLINE_SPAN_MS = 60_000;
const SPARKS = '▁▂▃▄▅▆▇█';

export interface LiveView {
  sensor: Sensor;
  /** Windows of the last minute, oldest first. */
  features: Feature[];
  /** Open alarms by id. */
  alarms: Map<string, Alarm>;
}

export function newLiveView(sensor: Sensor, features: Feature[], alarms: Alarm[]): LiveView {
  const view: LiveView = { sensor, features: [], alarms: new Map() };
  for (const f of [...features].sort((a, b) => a.windowStart.localeCompare(b.windowStart))) {
    addFeature(view, f);
  }
  for (const a of alarms) updateAlarm(view, a);
  return view;
}

export function addFeature(view: LiveView, feature: Feature): void {
  const last = view.features.at(-1);
  if (last && feature.windowStart <= last.windowStart) return; // a repeat: already shown
  view.features.push(feature);
  const from = Date.parse(feature.windowEnd) - SPARKLINE_SPAN_MS;
  view.features = view.features.filter((f) => Date.parse(f.windowEnd) > from);
}

export function updateAlarm(view: LiveView, alarm: Alarm): void {
  if (alarm.state === 'cleared') view.alarms.delete(alarm.id);
  else view.alarms.set(alarm.id, alarm);
}

/** `▁▃▅█`: each value's height between the smallest and the largest. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const span = Math.max(...values) - min;
  return values
    .map((v) => SPARKS[span === 0 ? 0 : Math.round(((v - min) / span) * (SPARKS.length - 1))])
    .join('');
}

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? '—' : value.toFixed(digits);

export function renderLiveView(view: LiveView, now: Date): string {
  const { sensor } = view;
  const f = view.features.at(-1);
  const lines = [
    `${sensor.serial}  target ${orNone(sensor.target)}  ${sensor.state}  ${sensor.connectivity}` +
      `  last seen ${age(sensor.lastSeen, now)} ago`,
  ];
  if (!f) {
    lines.push('no features yet (is sensor-analytics running?)');
  } else {
    lines.push(
      `RMS ${fixed(f.accelerationRmsG, 3)} g   velocity ${fixed(f.velocityRmsMmS, 2)} mm/s` +
        `   zone ${orNone(f.isoZone)}${f.isoClass ? ` (${f.isoClass})` : ''}`,
      `crest ${fixed(f.crestFactor, 2)}   kurtosis ${fixed(f.kurtosis, 2)}` +
        `   dominant ${fixed(f.dominantHz, 1)} Hz   anomaly ${fixed(f.anomalyScore, 1)}` +
        ` (${f.baselineStatus})`,
      `bearing  BPFO ${fixed(f.bpfoStrength, 1)}  BPFI ${fixed(f.bpfiStrength, 1)}` +
        `  BSF ${fixed(f.bsfStrength, 1)}  FTF ${fixed(f.ftfStrength, 1)}` +
        `   diagnosis ${orNone(f.diagnosis)}`,
      `RMS, last minute  ${sparkline(view.features.map((w) => w.accelerationRmsG))}` +
        `  (${view.features.length} windows, window ${age(f.windowEnd, now)} ago)`,
    );
  }
  const alarms = [...view.alarms.values()].sort((a, b) => Number(b.id) - Number(a.id));
  lines.push(alarms.length === 0 ? 'alarms: none open' : `alarms: ${alarms.length} open`);
  for (const a of alarms) {
    lines.push(
      `  ${a.id}  ${a.severity}  ${a.rule}  ${a.state}  ${age(a.raisedAt, now)} ago` +
        `  ${a.message}` +
        (a.action ? `  [${actionOutcome(a)}]` : ''),
    );
  }
  return `${lines.join('\n')}\n`;
}
