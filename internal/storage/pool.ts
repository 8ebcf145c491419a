// One pg pool per process, named so `pg_stat_activity` shows who is connected.
import pg from 'pg';

export function createPool(
  connectionString: string,
  options: { applicationName: string; max?: number },
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    application_name: options.applicationName,
    max: options.max ?? 10,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Readiness check for /readyz: the database answers a query now. */
export async function databaseReady(pool: pg.Pool): Promise<boolean> {
  return (await pool.query('SELECT 1')).rowCount === 1;
}
