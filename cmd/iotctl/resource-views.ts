// The table and detail layouts of each API object. Columns follow what an operator scans
// for first (name, state, health), then the rest; times are ages, nulls are `—`.
import type {
  Account,
  ApiKey,
  Command,
  Feature,
  FeatureRecompute,
  LogLine,
  Sensor,
  Target,
} from './api-types.js';
import { formatBearing } from './machine-options.js';
import { age, orNone, relative } from './output.js';
import { NONE, cell, type Column } from './table.js';

const hz = (value: number | null) => (value === null ? NONE : `${value}`);

/** What the sensor has been asked to become and has not yet confirmed. */
export function desired(sensor: Sensor): string {
  const parts: string[] = [];
  if (sensor.desiredState !== null && sensor.desiredState !== sensor.state) {
    parts.push(sensor.desiredState);
  }
  if (
    sensor.desiredSampleFrequencyHz !== null &&
    sensor.desiredSampleFrequencyHz !== sensor.sampleFrequencyHz
  ) {
    parts.push(`${sensor.desiredSampleFrequencyHz} Hz`);
  }
  return parts.length ? parts.join(', ') : NONE;
}

export function sensorColumns(now: Date): Column<Sensor>[] {
  return [
    { header: 'SERIAL', value: (s) => s.serial },
    { header: 'STATE', value: (s) => s.state },
    { header: 'HZ', value: (s) => hz(s.sampleFrequencyHz), align: 'right' },
    { header: 'PENDING', value: desired },
    { header: 'TARGET', value: (s) => orNone(s.target) },
    { header: 'CONNECTIVITY', value: (s) => s.connectivity },
    { header: 'LAST SEEN', value: (s) => age(s.lastSeen, now) },
    { header: 'SAMPLES/MIN', value: (s) => String(s.samplesLastMinute), align: 'right' },
    { header: 'FIRMWARE', value: (s) => orNone(s.firmwareVersion) },
  ];
}

export function sensorDetails(s: Sensor, now: Date): [string, string][] {
  return [
    ['SERIAL', s.serial],
    ['STATE', s.state],
    ['DESIRED STATE', orNone(s.desiredState)],
    ['HZ', hz(s.sampleFrequencyHz)],
    ['DESIRED HZ', hz(s.desiredSampleFrequencyHz)],
    ['TARGET', orNone(s.target)],
    ['CONNECTIVITY', s.connectivity],
    ['LAST SEEN', s.lastSeen ? `${age(s.lastSeen, now)} ago (${s.lastSeen})` : NONE],
    ['SAMPLES/MIN', String(s.samplesLastMinute)],
    ['FIRMWARE', orNone(s.firmwareVersion)],
    ['REGISTERED', `${age(s.registeredAt, now)} ago (${s.registeredAt})`],
  ];
}

export function targetColumns(now: Date): Column<Target>[] {
  return [
    { header: 'NAME', value: (t) => t.name },
    { header: 'KIND', value: (t) => t.kind },
    { header: 'SENSORS', value: (t) => (t.sensors.length ? t.sensors.join(',') : NONE) },
    { header: 'RPM', value: (t) => orNone(t.rpm), align: 'right' },
    { header: 'BEARING', value: (t) => (t.bearing ? formatBearing(t.bearing) : NONE) },
    { header: 'ISO CLASS', value: (t) => orNone(t.isoClass) },
    { header: 'CONTROLLER', value: (t) => orNone(t.controllerAddress) },
    { header: 'AGE', value: (t) => age(t.createdAt, now) },
  ];
}

export function targetDetails(t: Target, now: Date): [string, string][] {
  return [
    ['NAME', t.name],
    ['KIND', t.kind],
    ['SENSORS', t.sensors.length ? t.sensors.join(', ') : NONE],
    ['RPM', orNone(t.rpm)],
    ['BEARING', t.bearing ? formatBearing(t.bearing) : NONE],
    ['ISO CLASS', orNone(t.isoClass)],
    ['CONTROLLER', orNone(t.controllerAddress)],
    ['CREATED', `${age(t.createdAt, now)} ago (${t.createdAt})`],
  ];
}

/** A number to `digits` decimals, `—` for none. */
const fixed = (value: number | null, digits: number) =>
  value === null ? NONE : value.toFixed(digits);

/** One analysed window a line, newest first, as the API gives them. */
export function featureColumns(): Column<Feature>[] {
  return [
    { header: 'WINDOW', value: (f) => f.windowStart },
    { header: 'RMS G', value: (f) => fixed(f.accelerationRmsG, 3), align: 'right' },
    { header: 'PEAK G', value: (f) => fixed(f.accelerationPeakG, 3), align: 'right' },
    { header: 'CREST', value: (f) => fixed(f.crestFactor, 2), align: 'right' },
    { header: 'KURTOSIS', value: (f) => fixed(f.kurtosis, 2), align: 'right' },
    { header: 'VEL MM/S', value: (f) => fixed(f.velocityRmsMmS, 2), align: 'right' },
    { header: 'ZONE', value: (f) => orNone(f.isoZone) },
    { header: 'DOMINANT HZ', value: (f) => fixed(f.dominantHz, 1), align: 'right' },
    { header: 'DIAGNOSIS', value: (f) => orNone(f.diagnosis) },
    { header: 'SCORE', value: (f) => fixed(f.anomalyScore, 2), align: 'right' },
    { header: 'BASELINE', value: (f) => f.baselineStatus },
  ];
}

export function recomputeDetails(job: FeatureRecompute): [string, string][] {
  const fields: [string, string][] = [
    ['Job', job.id],
    ['Sensor', job.serial],
    ['Range', `${job.since} – ${job.until}`],
    ['Status', job.status],
    ['Requested', `${job.requestedAt} by ${job.requestedBy}`],
  ];
  if (job.status === 'done') {
    fields.push([
      'Result',
      `${job.windows} windows from ${job.blocks} blocks (${job.removed} old windows replaced)`,
    ]);
  }
  if (job.error !== null) fields.push(['Error', job.error]);
  return fields;
}

export function commandColumns(now: Date): Column<Command>[] {
  return [
    { header: 'ID', value: (c) => c.id },
    { header: 'TYPE', value: (c) => c.type },
    { header: 'HZ', value: (c) => hz(c.sampleFrequencyHz), align: 'right' },
    { header: 'STATUS', value: (c) => c.status },
    { header: 'REASON', value: (c) => orNone(c.reason) },
    { header: 'AGE', value: (c) => age(c.issuedAt, now) },
    { header: 'BY', value: (c) => orNone(c.issuedBy) },
  ];
}

export function commandDetails(c: Command, now: Date): [string, string][] {
  return [
    ['ID', c.id],
    ['SERIAL', c.serial],
    ['TYPE', c.type],
    ['HZ', hz(c.sampleFrequencyHz)],
    ['STATUS', c.status],
    ['REASON', orNone(c.reason)],
    ['ISSUED', `${age(c.issuedAt, now)} ago (${c.issuedAt})`],
    ['ISSUED BY', orNone(c.issuedBy)],
    ['EXPIRES', `${relative(c.expiresAt, now)} (${c.expiresAt})`],
    ...(c.history ?? []).map((h, i): [string, string] => [
      i === 0 ? 'HISTORY' : '',
      `${h.status} ${age(h.at, now)} ago${h.reason ? `: ${h.reason}` : ''}`,
    ]),
  ];
}

export function apiKeyColumns(now: Date): Column<ApiKey>[] {
  return [
    { header: 'ID', value: (k) => String(k.id) },
    { header: 'NAME', value: (k) => k.name },
    { header: 'ROLE', value: (k) => k.role },
    { header: 'PREFIX', value: (k) => k.prefix },
    { header: 'AGE', value: (k) => age(k.createdAt, now) },
    { header: 'EXPIRES', value: (k) => relative(k.expiresAt, now) },
    { header: 'LAST USED', value: (k) => age(k.lastUsedAt, now) },
    { header: 'REVOKED', value: (k) => (k.revoked ? 'yes' : 'no') },
  ];
}

export function accountColumns(now: Date): Column<Account>[] {
  return [
    { header: 'USERNAME', value: (a) => a.username },
    { header: 'ROLE', value: (a) => a.role },
    { header: 'AGE', value: (a) => age(a.createdAt, now) },
    { header: 'DISABLED', value: (a) => (a.disabled ? 'yes' : 'no') },
  ];
}

/** `2024-05-01T12:00:00.123Z  WARN   message  key=value`: logs read top to bottom, not as a table. */
export function logLine(line: LogLine): string {
  const fields = Object.entries(line.fields ?? {})
    .map(
      ([k, v]) => `${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`,
    )
    .join(' ');
  const level = line.level.toUpperCase().padEnd(5);
  return cell(`${line.time}  ${level}  ${line.message}${fields ? `  ${fields}` : ''}`);
}
