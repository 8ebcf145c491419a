// Devices onboarded through the API (migration 0017's device_credential): which organization
// and target a serial enrols into when it first registers. The password is not here: only
// the broker holds it (hashed).
import type { Queryable } from './queryable.js';

export type NewCredential = { kind: 'created' } | { kind: 'taken' } | { kind: 'no_target' };

/**
 * Records a serial for the organization, optionally on one of its targets. A serial already
 * enrolled or onboarded anywhere is taken: serials are broker usernames, one namespace.
 */
export async function insertDeviceCredential(
  db: Queryable,
  organizationId: string,
  serial: string,
  target: string | undefined,
): Promise<NewCredential> {
  let targetId: string | null = null;
  if (target !== undefined) {
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM target WHERE organization_id = $1 AND name = $2',
      [organizationId, target],
    );
    if (!rows[0]) return { kind: 'no_target' };
    targetId = rows[0].id;
  }
  const { rowCount } = await db.query(
    `INSERT INTO device_credential (serial_number, organization_id, target_id)
     SELECT $1, $2, $3
     WHERE NOT EXISTS (SELECT 1 FROM sensor WHERE serial_number = $1)
     ON CONFLICT (serial_number) DO NOTHING`,
    [serial, organizationId, targetId],
  );
  return rowCount === 1 ? { kind: 'created' } : { kind: 'taken' };
}

/**
 * Whether the organization owns this serial: a sensor of it, or a device onboarded for it
 * that has not registered yet. Locks the credential row for a rotation or a deletion.
 */
export async function ownsSerial(
  db: Queryable,
  organizationId: string,
  serial: string,
): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM sensor WHERE serial_number = $1 AND organization_id = $2
     UNION ALL
     SELECT 1 FROM device_credential WHERE serial_number = $1 AND organization_id = $2`,
    [serial, organizationId],
  );
  return rows.length > 0;
}

export async function markRotated(db: Queryable, serial: string): Promise<void> {
  await db.query('UPDATE device_credential SET rotated_at = now() WHERE serial_number = $1', [
    serial,
  ]);
}

export async function deleteDeviceCredential(db: Queryable, serial: string): Promise<void> {
  await db.query('DELETE FROM device_credential WHERE serial_number = $1', [serial]);
}
