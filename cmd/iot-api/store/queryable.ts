import type pg from 'pg';

/** A pool or a client inside a transaction: stores work with either. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Runs `work` in one transaction on a client of `pool`. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** PostgreSQL's unique_violation, e.g. a target name that exists. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/** PostgreSQL's check_violation: a value a table's CHECK refuses. */
export function isCheckViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23514';
}

/**
 * PostgreSQL's class 22, data exception: a value the database cannot take as given (U+0000 in
 * text, a number out of range, an unreadable date). The schemas refuse these first; whatever
 * still gets through came from the request, so it is the client's error, not the server's.
 */
export function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}
