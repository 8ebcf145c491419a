import type { Static } from 'typebox';
import type { Bearing, Target, TargetPatchBodyType } from '../../../internal/api-contract/index.js';
import type { Queryable } from './queryable.js';

/** As the API answers it: the schema's type (schemas.ts). */
export type TargetView = Static<typeof Target>;
export type MachineParameters = Pick<
  TargetView,
  'rpm' | 'bearing' | 'isoClass' | 'controllerAddress'
>;
type BearingInput = Static<typeof Bearing>;

interface TargetRow {
  name: string;
  kind: TargetView['kind'];
  created_at: Date;
  sensors: string[];
  rpm: number | null;
  bearing_balls: number | null;
  bearing_ball_mm: number | null;
  bearing_pitch_mm: number | null;
  bearing_angle_deg: number | null;
  iso_class: TargetView['isoClass'];
  controller_address: string | null;
}

const MACHINE_COLUMNS = `t.rpm, t.bearing_balls, t.bearing_ball_mm, t.bearing_pitch_mm,
  t.bearing_angle_deg, t.iso_class, t.controller_address`;

const view = (r: TargetRow): TargetView => ({
  name: r.name,
  kind: r.kind,
  createdAt: r.created_at.toISOString(),
  sensors: r.sensors,
  rpm: r.rpm,
  // The table's CHECK keeps the bearing's columns all set or all null.
  bearing:
    r.bearing_balls === null || r.bearing_ball_mm === null || r.bearing_pitch_mm === null
      ? null
      : {
          balls: r.bearing_balls,
          ballMm: r.bearing_ball_mm,
          pitchMm: r.bearing_pitch_mm,
          angleDeg: r.bearing_angle_deg ?? 0,
        },
  isoClass: r.iso_class,
  controllerAddress: r.controller_address,
});

const SELECT = `
  SELECT t.name, t.kind, t.created_at, ${MACHINE_COLUMNS},
         coalesce(array_agg(s.serial_number ORDER BY s.serial_number)
                  FILTER (WHERE s.id IS NOT NULL), '{}') AS sensors
  FROM target t LEFT JOIN sensor s ON s.target_id = t.id`;

export async function listTargets(db: Queryable, organizationId: string): Promise<TargetView[]> {
  const { rows } = await db.query<TargetRow>(
    `${SELECT} WHERE t.organization_id = $1 GROUP BY t.id ORDER BY t.name`,
    [organizationId],
  );
  return rows.map(view);
}

export async function getTarget(
  db: Queryable,
  organizationId: string,
  name: string,
): Promise<TargetView | undefined> {
  const { rows } = await db.query<TargetRow>(
    `${SELECT} WHERE t.organization_id = $1 AND t.name = $2 GROUP BY t.id`,
    [organizationId, name],
  );
  return rows[0] && view(rows[0]);
}

/** Column → value of the bearing's four columns (all null: no bearing). */
function bearingColumns(bearing: BearingInput | null) {
  return {
    bearing_balls: bearing?.balls ?? null,
    bearing_ball_mm: bearing?.ballMm ?? null,
    bearing_pitch_mm: bearing?.pitchMm ?? null,
    bearing_angle_deg: bearing === null ? null : (bearing.angleDeg ?? 0),
  };
}

/** Throws PostgreSQL's unique_violation if the name is taken in the organization. */
export async function createTarget(
  db: Queryable,
  organizationId: string,
  target: {
    name: string;
    kind: TargetView['kind'];
    rpm?: number;
    bearing?: BearingInput;
    isoClass?: NonNullable<TargetView['isoClass']>;
    controllerAddress?: string;
  },
): Promise<TargetView> {
  const b = bearingColumns(target.bearing ?? null);
  const { rows } = await db.query<TargetRow>(
    `INSERT INTO target AS t (organization_id, name, kind, rpm, bearing_balls, bearing_ball_mm,
       bearing_pitch_mm, bearing_angle_deg, iso_class, controller_address)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     RETURNING t.name, t.kind, t.created_at, ${MACHINE_COLUMNS}, '{}'::text[] AS sensors`,
    [
      organizationId,
      target.name,
      target.kind,
      target.rpm ?? null,
      b.bearing_balls,
      b.bearing_ball_mm,
      b.bearing_pitch_mm,
      b.bearing_angle_deg,
      target.isoClass ?? null,
      target.controllerAddress ?? null,
    ],
  );
  return view(rows[0]!);
}

/**
 * Sets (a value) or clears (null) the machine parameters given; the others stay. False if
 * there is no such target in the organization. sensor-analytics picks the change up within
 * its cache's TTL (cmd/sensor-analytics/machine-directory.ts).
 */
export async function updateTargetMachine(
  db: Queryable,
  organizationId: string,
  name: string,
  patch: TargetPatchBodyType,
): Promise<boolean> {
  const set: Record<string, unknown> = {};
  if (patch.rpm !== undefined) set.rpm = patch.rpm;
  if (patch.bearing !== undefined) Object.assign(set, bearingColumns(patch.bearing));
  if (patch.isoClass !== undefined) set.iso_class = patch.isoClass;
  if (patch.controllerAddress !== undefined) set.controller_address = patch.controllerAddress;
  const names = Object.keys(set);
  const assignments = names.map((column, i) => `${column} = $${i + 3}`);
  const { rowCount } = await db.query(
    `UPDATE target SET ${assignments.join(', ')} WHERE organization_id = $1 AND name = $2`,
    [organizationId, name, ...Object.values(set)],
  );
  return rowCount === 1;
}

export async function deleteTarget(
  db: Queryable,
  organizationId: string,
  name: string,
): Promise<boolean> {
  const { rowCount } = await db.query(
    'DELETE FROM target WHERE organization_id = $1 AND name = $2',
    [organizationId, name],
  );
  return rowCount === 1;
}
