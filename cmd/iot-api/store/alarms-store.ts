// Alarms as operators see them: filtered by state, severity, sensor and target, each with its
// action's outcome and its history; and acknowledging one, which is a transition of its own.
import type { Static } from 'typebox';
import type { Alarm, AlarmsQuery } from '../../../internal/api-contract/index.js';
import { LIVE_CHANNEL, type LiveEvent } from '../../../internal/alarms/index.js';
import { inTransaction, type Queryable } from './queryable.js';
import type pg from 'pg';

/** As the API answers it: the schema's type (schemas.ts). */
export type AlarmView = Static<typeof Alarm>;
export type AlarmFilter = Static<typeof AlarmsQuery>;

interface AlarmRow {
  id: string;
  serial: string;
  target: string | null;
  rule: string;
  severity: AlarmView['severity'];
  state: AlarmView['state'];
  message: string;
  diagnosis: string | null;
  value: number | null;
  peak_value: number | null;
  raised_at: Date;
  last_seen_at: Date | null;
  cleared_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  action: NonNullable<AlarmView['action']>['type'] | null;
  action_status: NonNullable<AlarmView['action']>['status'] | null;
  action_reason: string | null;
  action_attempts: number;
  action_updated_at: Date | null;
  history: {
    transition: AlarmView['history'][number]['transition'];
    at: string;
    by: string | null;
    detail: string | null;
  }[];
}

const SELECT = `
  SELECT al.id, s.serial_number AS serial, t.name AS target, al.rule, al.severity, al.state,
         al.message, al.diagnosis, al.value, al.peak_value, al.raised_at, al.last_seen_at,
         al.cleared_at, al.acknowledged_at, ac.username AS acknowledged_by, al.action,
         al.action_status, al.action_reason, al.action_attempts, al.action_updated_at,
         COALESCE((SELECT json_agg(json_build_object('transition', tr.transition,
                     'at', to_char(tr.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                     'by', tac.username, 'detail', tr.detail) ORDER BY tr.id)
                     FROM alarm_transition tr LEFT JOIN account tac ON tac.id = tr.account_id
                    WHERE tr.alarm_id = al.id), '[]') AS history
  FROM alarm al JOIN sensor s ON s.id = al.sensor_id
  LEFT JOIN target t ON t.id = s.target_id
  LEFT JOIN account ac ON ac.id = al.acknowledged_by`;

const iso = (d: Date | null) => d?.toISOString() ?? null;

const view = (r: AlarmRow): AlarmView => ({
  id: r.id,
  serial: r.serial,
  target: r.target,
  rule: r.rule,
  severity: r.severity,
  state: r.state,
  acknowledged: r.acknowledged_at !== null,
  message: r.message,
  diagnosis: r.diagnosis,
  value: r.value,
  peakValue: r.peak_value,
  raisedAt: r.raised_at.toISOString(),
  lastSeenAt: iso(r.last_seen_at),
  clearedAt: iso(r.cleared_at),
  acknowledgedAt: iso(r.acknowledged_at),
  acknowledgedBy: r.acknowledged_by,
  action:
    r.action === null || r.action_status === null
      ? null
      : {
          type: r.action,
          status: r.action_status,
          reason: r.action_reason,
          attempts: r.action_attempts,
          updatedAt: iso(r.action_updated_at),
        },
  history: r.history,
});

export async function listAlarms(
  db: Queryable,
  organizationId: string,
  filter: AlarmFilter,
): Promise<AlarmView[]> {
  // No state asked: the open ones, or every one with all=true.
  const state = filter.state ?? (filter.all ? null : 'open');
  const { rows } = await db.query<AlarmRow>(
    `${SELECT} WHERE s.organization_id = $1
        AND ($2::text IS NULL OR ($2 = 'open' AND al.cleared_at IS NULL) OR al.state = $2)
        AND ($3::text IS NULL OR al.severity = $3)
        AND ($4::text IS NULL OR s.serial_number = $4)
        AND ($5::text IS NULL OR t.name = $5)
      ORDER BY al.raised_at DESC, al.id DESC LIMIT $6`,
    [
      organizationId,
      state,
      filter.severity ?? null,
      filter.sensor ?? null,
      filter.target ?? null,
      filter.limit,
    ],
  );
  return rows.map(view);
}

export async function getAlarm(
  db: Queryable,
  organizationId: string,
  id: string,
): Promise<AlarmView | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const { rows } = await db.query<AlarmRow>(
    `${SELECT} WHERE al.id = $1 AND s.organization_id = $2`,
    [id, organizationId],
  );
  return rows[0] && view(rows[0]);
}

/**
 * The alarm after acknowledging it, or undefined. Once: a second ack keeps the first (who
 * and when) and adds no transition. A cleared alarm may still be acknowledged (ThingsBoard's
 * cleared-unacknowledged → cleared-acknowledged). Live streams hear of it on commit.
 */
export async function acknowledgeAlarm(
  pool: pg.Pool,
  organizationId: string,
  id: string,
  accountId: string,
): Promise<AlarmView | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  await inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ serial: string }>(
      `UPDATE alarm al SET acknowledged_at = now(), acknowledged_by = $3
       FROM sensor s
       WHERE al.id = $1 AND s.id = al.sensor_id AND s.organization_id = $2
         AND al.acknowledged_at IS NULL
       RETURNING s.serial_number AS serial`,
      [id, organizationId, accountId],
    );
    const acked = rows[0];
    if (!acked) return;
    await client.query(
      `INSERT INTO alarm_transition (alarm_id, transition, account_id) VALUES ($1, 'acknowledged', $2)`,
      [id, accountId],
    );
    const event: LiveEvent = { type: 'alarm', organizationId, serial: acked.serial, alarmId: id };
    await client.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, JSON.stringify(event)]);
  });
  return getAlarm(pool, organizationId, id);
}
