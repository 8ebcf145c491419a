// The table and detail layouts of alarms, rules and fleet health: severity and state first,
// then what raised it and what the machine was told.
import type { Alarm, AlarmRule, Fleet } from './api-types.js';
import { formatDurationMs } from './arguments.js';
import { age, humanDuration, orNone } from './output.js';
import { NONE, type Column } from './table.js';

/** `reduce-speed delivered`, `stop failed: UNAVAILABLE…`, or — without an action. */
export function actionOutcome(a: Alarm): string {
  if (!a.action) return NONE;
  const { type, status, reason } = a.action;
  return status === 'failed' && reason ? `${type} failed: ${reason}` : `${type} ${status}`;
}

export function alarmColumns(now: Date): Column<Alarm>[] {
  return [
    { header: 'ID', value: (a) => a.id },
    { header: 'SERIAL', value: (a) => a.serial },
    { header: 'SEVERITY', value: (a) => a.severity },
    { header: 'RULE', value: (a) => a.rule },
    { header: 'STATE', value: (a) => a.state },
    { header: 'AGE', value: (a) => age(a.raisedAt, now) },
    { header: 'ACKED BY', value: (a) => (a.acknowledged ? orNone(a.acknowledgedBy) : NONE) },
    { header: 'ACTION', value: actionOutcome },
    { header: 'MESSAGE', value: (a) => a.message },
  ];
}

export function alarmDetails(a: Alarm, now: Date): [string, string][] {
  return [
    ['ID', a.id],
    ['SERIAL', a.serial],
    ['TARGET', orNone(a.target)],
    ['RULE', a.rule],
    ['SEVERITY', a.severity],
    ['STATE', a.state],
    ['MESSAGE', a.message],
    ['DIAGNOSIS', orNone(a.diagnosis)],
    ['VALUE', orNone(a.value)],
    ['PEAK', orNone(a.peakValue)],
    ['RAISED', `${age(a.raisedAt, now)} ago (${a.raisedAt})`],
    ['LAST SEEN', a.lastSeenAt ? `${age(a.lastSeenAt, now)} ago` : NONE],
    ['ACTION', actionOutcome(a) + (a.action ? ` after ${a.action.attempts} attempt(s)` : '')],
    ...a.history.map((h, i): [string, string] => [
      i === 0 ? 'HISTORY' : '',
      `${h.transition} ${age(h.at, now)} ago` +
        (h.by ? ` by ${h.by}` : '') +
        (h.detail ? `: ${h.detail}` : ''),
    ]),
  ];
}

const duration = (s: number) => (s === 0 ? '0s' : formatDurationMs(s * 1000));

export function ruleColumns(): Column<AlarmRule>[] {
  return [
    { header: 'RULE', value: (r) => r.rule },
    { header: 'ENABLED', value: (r) => (r.enabled ? 'yes' : 'no') },
    {
      header: 'THRESHOLD',
      value: (r) =>
        r.threshold === null ? (r.unit === null ? NONE : 'ISO class') : `${r.threshold} ${r.unit}`,
    },
    { header: 'RAISE AFTER', value: (r) => duration(r.raiseAfterSeconds), align: 'right' },
    { header: 'CLEAR AFTER', value: (r) => duration(r.clearAfterSeconds), align: 'right' },
    { header: 'SEVERITY', value: (r) => r.severity },
    { header: 'ACTION', value: (r) => orNone(r.action) },
    { header: 'SET HERE', value: (r) => (r.overridden.length ? r.overridden.join(',') : NONE) },
  ];
}

type FleetItem = Fleet['items'][number];

export function fleetColumns(now: Date): Column<FleetItem>[] {
  return [
    { header: 'SERIAL', value: (s) => s.serial },
    { header: 'STATE', value: (s) => s.state },
    { header: 'CONNECTIVITY', value: (s) => s.connectivity },
    { header: 'TARGET', value: (s) => orNone(s.target) },
    { header: 'LAST SEEN', value: (s) => age(s.lastSeen, now) },
    {
      header: 'BATCH EVERY',
      value: (s) =>
        s.meanBatchIntervalSeconds === null ? NONE : `${s.meanBatchIntervalSeconds.toFixed(2)}s`,
      align: 'right',
    },
    {
      header: 'LIFESPAN',
      value: (s) => (s.lifespanSeconds === null ? NONE : humanDuration(s.lifespanSeconds * 1000)),
      align: 'right',
    },
  ];
}

/** `3 sensors: 2 online, 0 stale, 1 offline (1 asleep); 33% silent > 10 min` */
export function fleetSummary(f: Fleet): string {
  return (
    `${f.sensors} sensors: ${f.online} online, ${f.stale} stale, ${f.offline} offline ` +
    `(${f.asleep} asleep); ${Math.round(f.silentOverTenMinutesShare * 100)}% silent > 10 min\n`
  );
}
