// Commands and their fate. A command is a row from the moment the API accepts it; every change
// of status is appended to sensor_command_status and announced with NOTIFY (after commit), so
// whichever API replica holds a `--wait` stream hears about it.
import type { Static } from 'typebox';
import type { Command, CommandStatus } from '../../../internal/api-contract/index.js';
import { reportTime } from '../../../internal/storage/index.js';
import type { Queryable } from './queryable.js';
import type { SensorState } from './sensors-store.js';

export const COMMAND_TYPES = ['sleep', 'awake', 'set_sample_frequency'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];
export const NOTIFY_CHANNEL = 'iot_command';

/** As the API answers it: the schema's type (schemas.ts). */
export type CommandView = Static<typeof Command>;

/** What a device needs to act on a command. */
export interface CommandToSend {
  id: string;
  serial: string;
  type: CommandType;
  sampleFrequencyHz: number | null;
  issuedAt: Date;
  expiresAt: Date;
}

interface CommandRow {
  id: string;
  serial: string;
  command: CommandType;
  params: { sampleFrequencyHz?: number };
  status: CommandStatus;
  reason: string | null;
  issued_at: Date;
  expires_at: Date;
  updated_at: Date;
  issued_by: string | null;
  history: { status: CommandStatus; reason: string | null; at: string }[];
}

const SELECT = `
  SELECT c.id, s.serial_number AS serial, c.command, c.params, c.status, c.reason, c.issued_at,
         c.expires_at, c.updated_at, a.username AS issued_by,
         (SELECT coalesce(json_agg(json_build_object(
                   'status', h.status, 'reason', h.reason,
                   'at', to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                 ORDER BY h.at, h.id), '[]')
            FROM sensor_command_status h WHERE h.command_id = c.id) AS history
  FROM sensor_command c JOIN sensor s ON s.id = c.sensor_id
  LEFT JOIN account a ON a.id = c.issued_by`;

const view = (r: CommandRow): CommandView => ({
  id: r.id,
  serial: r.serial,
  type: r.command,
  sampleFrequencyHz: r.params.sampleFrequencyHz ?? null,
  status: r.status,
  reason: r.reason,
  issuedAt: r.issued_at.toISOString(),
  expiresAt: r.expires_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  issuedBy: r.issued_by,
  history: r.history,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getCommand(
  db: Queryable,
  organizationId: string,
  id: string,
): Promise<CommandView | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await db.query<CommandRow>(
    `${SELECT} WHERE c.id = $1 AND s.organization_id = $2`,
    [id, organizationId],
  );
  return rows[0] && view(rows[0]);
}

export async function listCommands(
  db: Queryable,
  sensorId: string,
  limit: number,
): Promise<CommandView[]> {
  const { rows } = await db.query<CommandRow>(
    `${SELECT} WHERE c.sensor_id = $1 ORDER BY c.issued_at DESC, c.id LIMIT $2`,
    [sensorId, limit],
  );
  return rows.map(view);
}

/** Which of the sensor's settings a command changes; one desired value per aspect. */
function aspectOf(type: CommandType): 'power' | 'rate' {
  return type === 'set_sample_frequency' ? 'rate' : 'power';
}

const TYPES_OF_ASPECT = {
  power: ['sleep', 'awake'],
  rate: ['set_sample_frequency'],
} as const;

/**
 * Records a new command as queued and makes it the sensor's desired state. Run inside a
 * transaction with the caller's other work.
 */
export async function insertCommand(
  db: Queryable,
  command: {
    sensorId: string;
    type: CommandType;
    sampleFrequencyHz: number | null;
    issuedBy: string | null;
    ttlMs: number;
  },
): Promise<CommandToSend> {
  const params =
    command.type === 'set_sample_frequency' ? { sampleFrequencyHz: command.sampleFrequencyHz } : {};
  const { rows } = await db.query<{
    id: string;
    serial: string;
    issued_at: Date;
    expires_at: Date;
  }>(
    `WITH c AS (
       INSERT INTO sensor_command (sensor_id, command, params, issued_by, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::double precision / 1000))
       RETURNING id, sensor_id, issued_at, expires_at),
     h AS (INSERT INTO sensor_command_status (command_id, status, at)
           SELECT id, 'queued', issued_at FROM c)
     SELECT c.id, s.serial_number AS serial, c.issued_at, c.expires_at
     FROM c JOIN sensor s ON s.id = c.sensor_id`,
    [command.sensorId, command.type, params, command.issuedBy, command.ttlMs],
  );
  const row = rows[0]!;
  if (aspectOf(command.type) === 'power') {
    await db.query('UPDATE sensor SET desired_state = $2 WHERE id = $1', [
      command.sensorId,
      command.type === 'sleep' ? 'asleep' : 'awake',
    ]);
  } else {
    await db.query('UPDATE sensor SET desired_sample_frequency = $2 WHERE id = $1', [
      command.sensorId,
      command.sampleFrequencyHz,
    ]);
  }
  await notify(db, row.id);
  return {
    id: row.id,
    serial: row.serial,
    type: command.type,
    sampleFrequencyHz: command.type === 'set_sample_frequency' ? command.sampleFrequencyHz : null,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
  };
}

/** queued → sent, once the broker confirmed the command is in the device's queue. */
export async function markSent(db: Queryable, id: string): Promise<boolean> {
  return (await transition(db, id, 'sent', null, ['queued'])) !== undefined;
}

/**
 * The device's answer. Only an open command moves (a late ack for an expired command, or a
 * redelivered ack, changes nothing). Returns the command's type and sensor if it moved.
 */
export async function recordAck(
  db: Queryable,
  ack: {
    serial: string;
    commandId: string;
    outcome: 'applied' | 'rejected' | 'expired';
    reason: string;
    /** When the device answered (its clock; 0 from older firmware). */
    atMs: number;
  },
): Promise<boolean> {
  if (!UUID.test(ack.commandId)) return false;
  const moved = await transition(
    db,
    ack.commandId,
    ack.outcome,
    ack.reason || null,
    ['queued', 'sent'],
    ack.serial,
  );
  if (!moved) return false;
  if (ack.outcome === 'applied') {
    // The device now runs with what it applied, unless an announcement it sent after this
    // ack was stored first (reported_at, migration 0020).
    const [column, value] =
      moved.command === 'set_sample_frequency'
        ? ['sample_frequency', moved.params.sampleFrequencyHz]
        : ['state', moved.command === 'sleep' ? 'asleep' : 'awake'];
    await db.query(
      `UPDATE sensor SET ${column} = $2, reported_at = GREATEST(reported_at, $3), last_seen = now()
       WHERE id = $1 AND ($3::timestamptz IS NULL OR reported_at IS NULL OR $3 >= reported_at)`,
      [moved.sensor_id, value, reportTime(ack.atMs)],
    );
  } else if (ack.outcome === 'rejected') {
    await restoreDesired(db, moved.sensor_id, aspectOf(moved.command));
  }
  return true;
}

/** Open commands past their expiry become expired; returns how many. */
export async function expireDue(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `WITH e AS (
       UPDATE sensor_command SET status = 'expired', updated_at = now(),
              reason = 'no acknowledgement from the sensor before the command expired'
       WHERE status IN ('queued', 'sent') AND expires_at <= now()
       RETURNING id, reason, updated_at),
     h AS (INSERT INTO sensor_command_status (command_id, status, reason, at)
           SELECT id, 'expired', reason, updated_at FROM e)
     SELECT id FROM e`,
  );
  for (const { id } of rows) await notify(db, id);
  return rows.length;
}

/** Queued (never delivered), unexpired commands of a sensor, oldest first: to send now. */
export async function queuedCommands(db: Queryable, sensorId: string): Promise<CommandToSend[]> {
  const { rows } = await db.query<CommandRow>(
    `${SELECT} WHERE c.sensor_id = $1 AND c.status = 'queued' AND c.expires_at > now()
     ORDER BY c.issued_at, c.id`,
    [sensorId],
  );
  return rows.map(toSend);
}

/** Whether the sensor has an unexpired command in flight that changes this setting. */
export async function hasOpenCommand(
  db: Queryable,
  sensorId: string,
  type: CommandType,
): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM sensor_command
     WHERE sensor_id = $1 AND command = ANY($2) AND status IN ('queued', 'sent')
       AND expires_at > now() LIMIT 1`,
    [sensorId, TYPES_OF_ASPECT[aspectOf(type)]],
  );
  return rows.length > 0;
}

export interface DesiredState {
  sensorId: string;
  organizationId: string;
  desiredState: SensorState | null;
  desiredSampleFrequencyHz: number | null;
}

export async function desiredStateOf(
  db: Queryable,
  serial: string,
): Promise<DesiredState | undefined> {
  const { rows } = await db.query<{
    id: string;
    organization_id: string;
    desired_state: SensorState | null;
    desired_sample_frequency: number | null;
  }>(
    `SELECT id, organization_id, desired_state, desired_sample_frequency
     FROM sensor WHERE serial_number = $1`,
    [serial],
  );
  const r = rows[0];
  return (
    r && {
      sensorId: r.id,
      organizationId: r.organization_id,
      desiredState: r.desired_state,
      desiredSampleFrequencyHz: r.desired_sample_frequency,
    }
  );
}

function toSend(r: CommandRow): CommandToSend {
  return {
    id: r.id,
    serial: r.serial,
    type: r.command,
    sampleFrequencyHz: r.params.sampleFrequencyHz ?? null,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
  };
}

async function transition(
  db: Queryable,
  id: string,
  status: CommandStatus,
  reason: string | null,
  from: CommandStatus[],
  serial?: string,
) {
  const { rows } = await db.query<{
    id: string;
    sensor_id: string;
    command: CommandType;
    params: { sampleFrequencyHz?: number };
  }>(
    `WITH t AS (
       UPDATE sensor_command c SET status = $2, reason = $3, updated_at = now()
       WHERE c.id = $1 AND c.status = ANY($4)
         AND ($5::text IS NULL
              OR c.sensor_id = (SELECT id FROM sensor WHERE serial_number = $5))
       RETURNING c.id, c.sensor_id, c.command, c.params, c.updated_at),
     h AS (INSERT INTO sensor_command_status (command_id, status, reason, at)
           SELECT id, $2, $3, updated_at FROM t)
     SELECT id, sensor_id, command, params FROM t`,
    [id, status, reason, from, serial ?? null],
  );
  if (rows[0]) await notify(db, id);
  return rows[0];
}

/** After a rejection, the desired value is the latest one the device has not rejected. */
async function restoreDesired(db: Queryable, sensorIdValue: string, aspect: 'power' | 'rate') {
  const column = aspect === 'power' ? 'desired_state' : 'desired_sample_frequency';
  const value =
    aspect === 'power'
      ? `CASE c.command WHEN 'sleep' THEN 'asleep' ELSE 'awake' END`
      : `(c.params->>'sampleFrequencyHz')::double precision`;
  await db.query(
    `UPDATE sensor SET ${column} = (
       SELECT ${value} FROM sensor_command c
       WHERE c.sensor_id = $1 AND c.command = ANY($2) AND c.status <> 'rejected'
       ORDER BY c.issued_at DESC, c.id DESC LIMIT 1)
     WHERE id = $1`,
    [sensorIdValue, TYPES_OF_ASPECT[aspect]],
  );
}

async function notify(db: Queryable, id: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, id]);
}
