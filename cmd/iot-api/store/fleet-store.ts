// Fleet health from the sensor_health view (migration 0015): each sensor's connectivity,
// batch rhythm and lifespan, and the counts over the organization.
import type { Static } from 'typebox';
import type { Fleet } from '../../../internal/api-contract/index.js';
import type { Queryable } from './queryable.js';

export type FleetView = Static<typeof Fleet>;
type FleetItem = FleetView['items'][number];

/** The "silent for more than ten minutes" share, whatever a target's offline threshold. */
export const SILENT_AFTER_S = 600;

interface HealthRow {
  serial_number: string;
  target: string | null;
  state: FleetItem['state'];
  connectivity: FleetItem['connectivity'];
  last_seen: Date | null;
  last_batch_at: Date | null;
  mean_interval_s: number | null;
  registered_at: Date;
  offline_after_s: number;
  silent_s: number | null;
}

export async function fleetHealth(db: Queryable, organizationId: string): Promise<FleetView> {
  const { rows } = await db.query<HealthRow>(
    `SELECT h.serial_number, t.name AS target, h.state, h.connectivity, h.last_seen,
            h.last_batch_at, h.mean_interval_s, h.registered_at, h.offline_after_s,
            extract(epoch FROM now() - h.last_seen)::float8 AS silent_s
       FROM sensor_health h LEFT JOIN target t ON t.id = h.target_id
      WHERE h.organization_id = $1 ORDER BY h.serial_number`,
    [organizationId],
  );
  const items: FleetItem[] = rows.map((r) => ({
    serial: r.serial_number,
    target: r.target,
    state: r.state,
    connectivity: r.connectivity,
    lastSeen: r.last_seen?.toISOString() ?? null,
    lastBatchAt: r.last_batch_at?.toISOString() ?? null,
    meanBatchIntervalSeconds: r.mean_interval_s,
    firstSeen: r.registered_at.toISOString(),
    lifespanSeconds:
      r.last_seen === null
        ? null
        : Math.max(0, (r.last_seen.getTime() - r.registered_at.getTime()) / 1000),
    offlineAfterSeconds: r.offline_after_s,
  }));
  const count = (c: FleetItem['connectivity']) => items.filter((i) => i.connectivity === c).length;
  const silent = rows.filter((r) => r.silent_s !== null && r.silent_s > SILENT_AFTER_S).length;
  return {
    sensors: items.length,
    online: count('online'),
    stale: count('stale'),
    offline: count('offline'),
    asleep: items.filter((i) => i.state === 'asleep').length,
    silentOverTenMinutesShare: items.length === 0 ? 0 : silent / items.length,
    items,
  };
}
