// The local stack's database for tests: a pool as the services' role, and fixtures.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createPool } from '../../internal/storage/index.js';
import { required } from './brokers.js';
import { stackEnv } from './stack-env.js';

/** The services' pool (survives the database restarting under a fault test). */
export function testPool(): pg.Pool {
  return createPool(required(stackEnv(), 'IOT_DATABASE_URL'), { applicationName: 'test', max: 4 });
}

/** A serial no other test run uses: PREFIX-<6 hex>. */
export function uniqueSerial(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export async function createTarget(pool: pg.Pool, name: string, kind: 'fixed' | 'mobile') {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO target (organization_id, name, kind)
     VALUES ((SELECT id FROM organization WHERE name = 'default'), $1, $2) RETURNING id`,
    [name, kind],
  );
  return Number(rows[0]?.id);
}

export async function createSensor(
  pool: pg.Pool,
  serial: string,
  options: { hz?: number; targetId?: number } = {},
): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO sensor (serial_number, organization_id, sample_frequency, target_id)
     VALUES ($1, (SELECT id FROM organization WHERE name = 'default'), $2, $3) RETURNING id`,
    [serial, options.hz ?? 1000, options.targetId ?? null],
  );
  return Number(rows[0]?.id);
}

export async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** Samples stored for a sensor: the sum of its blocks' lengths. */
export const samplesOf = (pool: pg.Pool, sensorId: number) =>
  count(
    pool,
    'SELECT COALESCE(sum(sample_count), 0) AS n FROM sensor_measurement WHERE sensor_id = $1',
    [sensorId],
  );

/**
 * How each of a sensor's blocks meets the one before it, in microseconds (start minus the
 * previous end), with how many blocks do so: [[0, blocks - 1]] when they follow each other
 * with no gap and no overlap.
 */
export async function blockJoints(pool: pg.Pool, sensorId: number): Promise<[number, number][]> {
  const { rows } = await pool.query<{ joint_us: string; n: string }>(
    `SELECT (extract(epoch FROM joint) * 1000000)::bigint AS joint_us, count(*) AS n FROM (
       SELECT start_time - lag(end_time) OVER (ORDER BY start_time) AS joint
         FROM sensor_measurement WHERE sensor_id = $1) j
      WHERE joint IS NOT NULL GROUP BY joint ORDER BY joint`,
    [sensorId],
  );
  return rows.map((r) => [Number(r.joint_us), Number(r.n)]);
}
