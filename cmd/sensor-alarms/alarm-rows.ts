// Turns a rule's step into the alarm row and its history, inside the caller's transaction:
// raise inserts the one open alarm of the sensor and rule (or, should one be open already,
// updates it: the partial unique index makes a second raise an update whichever replica
// tries), update refreshes the reading, peak and last seen, clear closes it. Raises and
// clears are announced on the live channel; they become visible on commit.
import type pg from 'pg';
import {
  LIVE_CHANNEL,
  type LiveEvent,
  type RuleName,
  type RuleSettings,
  type RuleStep,
} from '../../internal/alarms/index.js';

export interface SensorContext {
  readonly id: number;
  readonly serial: string;
  readonly organizationId: string;
}

export interface AlarmReading {
  readonly value: number;
  readonly message: string;
  readonly diagnosis: string | null;
}

/** What a step changed: the alarm's id, and whether it now waits for its action's delivery. */
export interface AlarmChange {
  readonly alarmId: string;
  readonly step: RuleStep;
  readonly actionPending: boolean;
}

export async function applyStep(
  client: pg.ClientBase,
  sensor: SensorContext,
  rule: RuleName,
  settings: RuleSettings,
  step: RuleStep,
  reading: AlarmReading | null,
): Promise<AlarmChange | undefined> {
  switch (step) {
    case 'none':
      return undefined;
    case 'raise':
      return raise(client, sensor, rule, settings, reading);
    case 'update':
      if (reading === null) return undefined;
      await client.query(
        `UPDATE alarm SET value = $3, peak_value = GREATEST(peak_value, $3), last_seen_at = now(),
                message = $4, diagnosis = COALESCE($5, diagnosis)
          WHERE sensor_id = $1 AND rule = $2 AND cleared_at IS NULL`,
        [sensor.id, rule, reading.value, reading.message, reading.diagnosis],
      );
      return undefined;
    case 'clear':
      return clear(client, sensor, rule);
  }
}

async function raise(
  client: pg.ClientBase,
  sensor: SensorContext,
  rule: RuleName,
  settings: RuleSettings,
  reading: AlarmReading | null,
): Promise<AlarmChange> {
  const { rows } = await client.query<{
    id: string;
    inserted: boolean;
    action_status: string | null;
  }>(
    `INSERT INTO alarm (sensor_id, rule, severity, message, value, peak_value, last_seen_at,
                        diagnosis, action, action_key, action_status, action_updated_at)
     VALUES ($1, $2, $3, $4, $5, $5, now(), $6, $7,
             CASE WHEN $7::text IS NULL THEN NULL ELSE gen_random_uuid() END,
             CASE WHEN $7::text IS NULL THEN NULL ELSE 'pending' END,
             CASE WHEN $7::text IS NULL THEN NULL ELSE now() END)
     ON CONFLICT (sensor_id, rule) WHERE cleared_at IS NULL DO UPDATE
       SET value = EXCLUDED.value, peak_value = GREATEST(alarm.peak_value, EXCLUDED.value),
           last_seen_at = now(), message = EXCLUDED.message
     RETURNING id, (xmax = 0) AS inserted, action_status`,
    [
      sensor.id,
      rule,
      settings.severity,
      reading?.message ?? rule,
      reading?.value ?? null,
      reading?.diagnosis ?? null,
      settings.action,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error(`raising ${rule} for sensor ${sensor.id} returned no row`);
  if (row.inserted) {
    await recordTransition(client, row.id, 'raised', reading?.message ?? null);
    await notifyAlarm(client, sensor, row.id);
  }
  return {
    alarmId: row.id,
    step: row.inserted ? 'raise' : 'update',
    actionPending: row.inserted && row.action_status === 'pending',
  };
}

async function clear(
  client: pg.ClientBase,
  sensor: SensorContext,
  rule: RuleName,
): Promise<AlarmChange | undefined> {
  const { rows } = await client.query<{ id: string }>(
    `UPDATE alarm SET cleared_at = now()
      WHERE sensor_id = $1 AND rule = $2 AND cleared_at IS NULL RETURNING id`,
    [sensor.id, rule],
  );
  const row = rows[0];
  if (!row) return undefined;
  await recordTransition(client, row.id, 'cleared', null);
  await notifyAlarm(client, sensor, row.id);
  return { alarmId: row.id, step: 'clear', actionPending: false };
}

export async function recordTransition(
  client: pg.ClientBase | pg.Pool,
  alarmId: string,
  transition: 'raised' | 'cleared' | 'action-delivered' | 'action-failed',
  detail: string | null,
): Promise<void> {
  await client.query(
    'INSERT INTO alarm_transition (alarm_id, transition, detail) VALUES ($1, $2, $3)',
    [alarmId, transition, detail],
  );
}

export async function notifyLive(client: pg.ClientBase | pg.Pool, event: LiveEvent): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, JSON.stringify(event)]);
}

export function notifyAlarm(
  client: pg.ClientBase | pg.Pool,
  sensor: Pick<SensorContext, 'serial' | 'organizationId'>,
  alarmId: string,
): Promise<void> {
  return notifyLive(client, {
    type: 'alarm',
    organizationId: sensor.organizationId,
    serial: sensor.serial,
    alarmId,
  });
}
