// Feature recompute requests (migration 0019): iot-api queues them, sensor-analytics claims
// and runs them (cmd/sensor-analytics/recompute-worker.ts), operators follow their status.
import type { Static } from 'typebox';
import type { FeatureRecompute } from '../../../internal/api-contract/index.js';
import type { Queryable } from './queryable.js';

export type FeatureRecomputeView = Static<typeof FeatureRecompute>;

interface RecomputeRow {
  id: string;
  serial_number: string;
  since: Date;
  until: Date;
  status: FeatureRecomputeView['status'];
  requested_by: string;
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  blocks: number | null;
  removed: number | null;
  windows: number | null;
  error: string | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

const view = (r: RecomputeRow): FeatureRecomputeView => ({
  id: r.id,
  serial: r.serial_number,
  since: r.since.toISOString(),
  until: r.until.toISOString(),
  status: r.status,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at.toISOString(),
  startedAt: iso(r.started_at),
  finishedAt: iso(r.finished_at),
  blocks: r.blocks,
  removed: r.removed,
  windows: r.windows,
  error: r.error,
});

const COLUMNS = `r.id, s.serial_number, r.since, r.until, r.status, r.requested_by, r.requested_at,
  r.started_at, r.finished_at, r.blocks, r.removed, r.windows, r.error`;

export async function queueRecompute(
  db: Queryable,
  sensorId: string,
  range: { since: Date; until: Date },
  requestedBy: string,
): Promise<FeatureRecomputeView> {
  const { rows } = await db.query<RecomputeRow>(
    `WITH queued AS (
       INSERT INTO feature_recompute (sensor_id, since, until, requested_by)
       VALUES ($1, $2, $3, $4) RETURNING *)
     SELECT ${COLUMNS} FROM queued r JOIN sensor s ON s.id = r.sensor_id`,
    [sensorId, range.since, range.until, requestedBy],
  );
  return view(rows[0] as RecomputeRow);
}

/** One request, if it is of a sensor of the organization. */
export async function findRecompute(
  db: Queryable,
  organizationId: string,
  id: string,
): Promise<FeatureRecomputeView | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const { rows } = await db.query<RecomputeRow>(
    `SELECT ${COLUMNS} FROM feature_recompute r JOIN sensor s ON s.id = r.sensor_id
      WHERE r.id = $1 AND s.organization_id = $2`,
    [id, organizationId],
  );
  return rows[0] === undefined ? undefined : view(rows[0]);
}
