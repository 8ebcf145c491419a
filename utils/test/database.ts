// The local stack's database for tests: a pool as the services' role, and fixtures.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { required } from './brokers.js';
import { stackEnv } from './stack-env.js';

export function testPool(): pg.Pool {
  return new pg.Pool({ connectionString: required(stackEnv(), 'IOT_DATABASE_URL'), max: 4 });
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
