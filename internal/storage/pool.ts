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
  // A client losing its connection must never crash the process: pg emits 'error' on the
  // pool for an idle client and on the client itself for a checked-out one between queries
  // (the query in progress, if any, rejects on its own). The next checkout reconnects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Readiness check for /readyz: the database answers a query now. */
export async function databaseReady(pool: pg.Pool): Promise<boolean> {
  return (await pool.query('SELECT 1')).rowCount === 1;
}
