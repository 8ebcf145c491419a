import type { Static } from 'typebox';
import type { Alarm } from '../../../internal/api-contract/index.js';
import type { Queryable } from './queryable.js';

/** As the API answers it: the schema's type (schemas.ts). */
export type AlarmView = Static<typeof Alarm>;

interface AlarmRow {
  id: string;
  serial: string;
  kind: string;
  severity: AlarmView['severity'];
  message: string;
  raised_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
}

const SELECT = `
  SELECT al.id, s.serial_number AS serial, al.kind, al.severity, al.message, al.raised_at,
         al.acknowledged_at, ac.username AS acknowledged_by
  FROM alarm al JOIN sensor s ON s.id = al.sensor_id
  LEFT JOIN account ac ON ac.id = al.acknowledged_by`;

const view = (r: AlarmRow): AlarmView => ({
  id: r.id,
  serial: r.serial,
  kind: r.kind,
  severity: r.severity,
  message: r.message,
  raisedAt: r.raised_at.toISOString(),
  acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
  acknowledgedBy: r.acknowledged_by,
});

export async function listAlarms(
  db: Queryable,
  organizationId: string,
  options: { all: boolean; limit: number },
): Promise<AlarmView[]> {
  const { rows } = await db.query<AlarmRow>(
    `${SELECT} WHERE s.organization_id = $1 AND ($2 OR al.acknowledged_at IS NULL)
     ORDER BY al.raised_at DESC, al.id DESC LIMIT $3`,
    [organizationId, options.all, options.limit],
  );
  return rows.map(view);
}

/** The alarm after acknowledging it (once: a second ack keeps the first), or undefined. */
export async function acknowledgeAlarm(
  db: Queryable,
  organizationId: string,
  id: string,
  accountId: string,
): Promise<AlarmView | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  await db.query(
    `UPDATE alarm al SET acknowledged_at = now(), acknowledged_by = $3
     FROM sensor s
     WHERE al.id = $1 AND s.id = al.sensor_id AND s.organization_id = $2
       AND al.acknowledged_at IS NULL`,
    [id, organizationId, accountId],
  );
  const { rows } = await db.query<AlarmRow>(
    `${SELECT} WHERE al.id = $1 AND s.organization_id = $2`,
    [id, organizationId],
  );
  return rows[0] && view(rows[0]);
}
