// Sensors as operators see them: reported settings, what was asked of them, where they are
// mounted, and whether they are talking to us.
import type { Static } from 'typebox';
import type { Sensor, LogLine } from '../../../internal/api-contract/index.js';
import type { Queryable } from './queryable.js';

/** Seen within this long: online; within STALE_AFTER: stale; otherwise offline. */
export const ONLINE_WITHIN_S = 30;
export const STALE_WITHIN_S = 300;

export type SensorState = 'awake' | 'asleep';

/** As the API answers it: the schema's type (schemas.ts). */
export type SensorView = Static<typeof Sensor>;

interface SensorRow {
  serial_number: string;
  state: SensorState;
  sample_frequency: number;
  desired_state: SensorState | null;
  desired_sample_frequency: number | null;
  target: string | null;
  last_seen: Date | null;
  connectivity: SensorView['connectivity'];
  samples_last_minute: string;
  firmware_version: string | null;
  registered_at: Date;
}

const SELECT = `
  SELECT s.serial_number, s.state, s.sample_frequency, s.desired_state,
         s.desired_sample_frequency, t.name AS target, s.last_seen, s.firmware_version,
         s.registered_at,
         CASE WHEN s.last_seen > now() - make_interval(secs => ${ONLINE_WITHIN_S}) THEN 'online'
              WHEN s.last_seen > now() - make_interval(secs => ${STALE_WITHIN_S}) THEN 'stale'
              ELSE 'offline' END AS connectivity,
         (SELECT COALESCE(sum(m.sample_count), 0) FROM sensor_measurement m
           WHERE m.sensor_id = s.id AND m.start_time > now() - interval '1 minute')
           AS samples_last_minute
  FROM sensor s LEFT JOIN target t ON t.id = s.target_id`;

const view = (r: SensorRow): SensorView => ({
  serial: r.serial_number,
  state: r.state,
  sampleFrequencyHz: r.sample_frequency,
  desiredState: r.desired_state,
  desiredSampleFrequencyHz: r.desired_sample_frequency,
  target: r.target,
  lastSeen: r.last_seen?.toISOString() ?? null,
  connectivity: r.connectivity,
  samplesLastMinute: Number(r.samples_last_minute),
  firmwareVersion: r.firmware_version,
  registeredAt: r.registered_at.toISOString(),
});

export async function listSensors(db: Queryable, organizationId: string): Promise<SensorView[]> {
  const { rows } = await db.query<SensorRow>(
    `${SELECT} WHERE s.organization_id = $1 ORDER BY s.serial_number`,
    [organizationId],
  );
  return rows.map(view);
}

export async function getSensor(
  db: Queryable,
  organizationId: string,
  serial: string,
): Promise<SensorView | undefined> {
  const { rows } = await db.query<SensorRow>(
    `${SELECT} WHERE s.organization_id = $1 AND s.serial_number = $2`,
    [organizationId, serial],
  );
  return rows[0] && view(rows[0]);
}

/** The sensor's id, if it belongs to the organization (the 404 check for every sub-resource). */
export async function sensorId(
  db: Queryable,
  organizationId: string,
  serial: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM sensor WHERE organization_id = $1 AND serial_number = $2',
    [organizationId, serial],
  );
  return rows[0]?.id;
}

/**
 * Deletes a sensor and everything it sent. Hypertables carry no foreign keys, so their rows
 * go explicitly; commands and alarms cascade. Call it inside a transaction.
 */
export async function deleteSensor(db: Queryable, id: string): Promise<void> {
  // The time-series tables have no foreign key to sensor (hypertables); sensor_baseline and
  // sensor_spectrum cascade, but are named here too so this list says what a sensor leaves.
  const tables = [
    'sensor_measurement',
    'sensor_log',
    'target_location',
    'sensor_feature',
    'sensor_baseline',
    'sensor_spectrum',
  ];
  for (const table of tables) {
    await db.query(`DELETE FROM ${table} WHERE sensor_id = $1`, [id]);
  }
  await db.query('DELETE FROM sensor WHERE id = $1', [id]);
}

/** 'ok', or which of the two was not found in the organization. */
export async function assignTarget(
  db: Queryable,
  organizationId: string,
  serial: string,
  target: string | null,
): Promise<'ok' | 'no_sensor' | 'no_target'> {
  const { rows } = await db.query<{ sensor: string | null; target: string | null }>(
    `SELECT (SELECT id FROM sensor WHERE organization_id = $1 AND serial_number = $2) AS sensor,
            (SELECT id FROM target WHERE organization_id = $1 AND name = $3) AS target`,
    [organizationId, serial, target],
  );
  const found = rows[0];
  if (!found?.sensor) return 'no_sensor';
  if (target !== null && !found.target) return 'no_target';
  await db.query('UPDATE sensor SET target_id = $2 WHERE id = $1', [found.sensor, found.target]);
  return 'ok';
}

/** As the API answers it: the schema's type (schemas.ts). */
export type LogLineView = Static<typeof LogLine>;

export async function sensorLogs(
  db: Queryable,
  sensorIdValue: string,
  options: { since?: Date; limit: number },
): Promise<LogLineView[]> {
  // Newest `limit` after `since`, returned oldest first (what `logs -f` appends).
  const { rows } = await db.query<{
    time: Date;
    level: string;
    message: string;
    fields: Record<string, string> | null;
  }>(
    `SELECT * FROM (
       SELECT time, level, message, fields FROM sensor_log
       WHERE sensor_id = $1
         -- Times leave the API at millisecond precision, so "after since" means from the
         -- next millisecond on: a line at 12.3456 must not come back for since=12.345.
         AND ($2::timestamptz IS NULL OR time >= $2::timestamptz + interval '1 millisecond')
       ORDER BY time DESC LIMIT $3) newest
     ORDER BY time`,
    [sensorIdValue, options.since ?? null, options.limit],
  );
  return rows.map((r) => ({
    time: r.time.toISOString(),
    level: r.level,
    message: r.message,
    fields: r.fields ?? {},
  }));
}
