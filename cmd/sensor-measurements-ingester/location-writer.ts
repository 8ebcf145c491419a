// Writes a group of GPS fixes in one statement. A fix lands under the target its sensor is on;
// a sensor with no target keeps the fix under its own id (target_id NULL), never dropped.
// (sensor_id, time) is unique, so a redelivered fix is stored once.
import type pg from 'pg';
import type { Location } from '../../internal/routing/index.js';
import type { SensorRef } from '../../internal/storage/index.js';

export interface ResolvedLocation {
  sensor: SensorRef;
  fix: Location;
}

export async function writeLocations(
  pool: pg.Pool,
  fixes: readonly ResolvedLocation[],
): Promise<number> {
  const result = await pool.query(
    `INSERT INTO target_location
       (time, target_id, sensor_id, location, altitude_m, speed_mps, heading_deg, accuracy_m)
     SELECT t, target_id, sensor_id,
            ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, alt, speed, heading, accuracy
       FROM unnest($1::timestamptz[], $2::bigint[], $3::bigint[], $4::float8[], $5::float8[],
                   $6::float8[], $7::float8[], $8::float8[], $9::float8[])
            AS v(t, target_id, sensor_id, lat, lon, alt, speed, heading, accuracy)
     ON CONFLICT (sensor_id, time) DO NOTHING`,
    [
      fixes.map((f) => new Date(f.fix.timeMs)),
      fixes.map((f) => f.sensor.targetId),
      fixes.map((f) => f.sensor.id),
      fixes.map((f) => f.fix.latitude),
      fixes.map((f) => f.fix.longitude),
      fixes.map((f) => f.fix.altitudeM),
      fixes.map((f) => Math.max(0, f.fix.speedMps)),
      fixes.map((f) => ((f.fix.headingDeg % 360) + 360) % 360),
      fixes.map((f) => Math.max(0, f.fix.accuracyM)),
    ],
  );
  return result.rowCount ?? 0;
}
