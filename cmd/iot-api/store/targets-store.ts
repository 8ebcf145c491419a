import type { Static } from 'typebox';
import type { Target } from '../../../internal/api-contract/index.js';
import type { Queryable } from './queryable.js';

/** As the API answers it: the schema's type (schemas.ts). */
export type TargetView = Static<typeof Target>;

interface TargetRow {
  name: string;
  kind: TargetView['kind'];
  created_at: Date;
  sensors: string[];
}

const view = (r: TargetRow): TargetView => ({
  name: r.name,
  kind: r.kind,
  createdAt: r.created_at.toISOString(),
  sensors: r.sensors,
});

export async function listTargets(db: Queryable, organizationId: string): Promise<TargetView[]> {
  const { rows } = await db.query<TargetRow>(
    `SELECT t.name, t.kind, t.created_at,
            coalesce(array_agg(s.serial_number ORDER BY s.serial_number)
                     FILTER (WHERE s.id IS NOT NULL), '{}') AS sensors
     FROM target t LEFT JOIN sensor s ON s.target_id = t.id
     WHERE t.organization_id = $1 GROUP BY t.id ORDER BY t.name`,
    [organizationId],
  );
  return rows.map(view);
}

/** Throws PostgreSQL's unique_violation if the name is taken in the organization. */
export async function createTarget(
  db: Queryable,
  organizationId: string,
  target: { name: string; kind: TargetView['kind'] },
): Promise<TargetView> {
  const { rows } = await db.query<TargetRow>(
    `INSERT INTO target (organization_id, name, kind) VALUES ($1, $2, $3)
     RETURNING name, kind, created_at, '{}'::text[] AS sensors`,
    [organizationId, target.name, target.kind],
  );
  return view(rows[0]!);
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
