// The classification against what the real PostgreSQL and the real pg driver throw: data the
// server refuses is the message's fault (dead letter, SQLSTATE named), a server that is away
// is not (wait). And a checked-out client whose connection dies never crashes the process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { freePort } from '../../utils/free-port.js';
import { testPool } from '../../utils/test/database.js';
import { classifyDatabaseFailure } from './database-failure.js';
import { createPool } from './pool.js';

let pool: pg.Pool;
beforeAll(() => {
  pool = testPool();
});
afterAll(() => pool.end());

const failureOf = (sql: string, params: unknown[] = []) =>
  pool.query(sql, params).then(
    () => expect.fail(`${sql} succeeded`),
    (error: unknown) => classifyDatabaseFailure(error),
  );

describe('classifyDatabaseFailure on real errors', () => {
  it.each([
    ['a NUL byte in text', '22021', 'SELECT $1::text', ['a\u0000b']],
    ['an integer out of range', '22003', 'SELECT 2147483647::int + $1::int', [1]],
    ['an impossible date', '22008', 'SELECT $1::text::date', ['2024-02-30']],
    ['a division by zero', '22012', 'SELECT 1 / $1::int', [0]],
  ])('%s → dead letter naming SQLSTATE %s', async (_name, code, sql, params) => {
    const failure = await failureOf(sql, params);
    expect(failure.kind).toBe('rejected');
    expect(failure.kind === 'rejected' && failure.reason).toMatch(
      new RegExp(`^database rejected the message: .* \\(SQLSTATE ${code}\\)$`),
    );
  });

  it('a constraint violation (23xxx) → dead letter', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const failure = await client.query('INSERT INTO sensor (serial_number) VALUES (NULL)').then(
        () => expect.fail('inserted a NULL'),
        (error: unknown) => classifyDatabaseFailure(error),
      );
      expect(failure).toMatchObject({ kind: 'rejected' });
      expect(failure.kind === 'rejected' && failure.reason).toMatch(/\(SQLSTATE 23502\)$/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('a server that is not there → wait', async () => {
    const nowhere = createPool(`postgres://nobody:x@127.0.0.1:${await freePort()}/iot`, {
      applicationName: 'fault-probe',
    });
    try {
      const failure = await nowhere.query('SELECT 1').then(
        () => expect.fail('connected to nothing'),
        (error: unknown) => classifyDatabaseFailure(error),
      );
      expect(failure).toMatchObject({
        kind: 'unavailable',
        reason: expect.stringMatching(/ECONNREFUSED/) as string,
      });
    } finally {
      await nowhere.end();
    }
  });

  it('a connection the server terminates mid-query (57P01) → wait', async () => {
    const failure = await failureOf('SELECT pg_terminate_backend(pg_backend_pid())');
    expect(failure.kind).toBe('unavailable');
  });
});

describe('createPool', () => {
  it('a checked-out client whose connection dies between queries does not crash the process', async () => {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // 'end', not 'error': the only error listener is createPool's. Without it, pg's 'error'
    // event would be an uncaught exception, which fails this run.
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    // Another session of the same role ends it (as a server restart would).
    await pool.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    await ended;
    client.release(true);
    // Still here, and the pool serves the next query on a fresh connection.
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
