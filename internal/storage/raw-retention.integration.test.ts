// The retention job of the plain-PostgreSQL path against the local stack: it deletes the
// blocks that ended before the limit, in batches, and nothing newer.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSensor, testPool, uniqueSerial } from '../../utils/test/database.js';
import { RawRetention } from './index.js';

let pool: pg.Pool;
beforeAll(() => {
  pool = testPool();
});
afterAll(async () => {
  await pool.end();
});

const HOUR_MS = 3_600_000;

describe('RawRetention', () => {
  it('deletes blocks that ended before the limit, in batches, and keeps the rest', async () => {
    const id = await createSensor(pool, uniqueSerial('RET'), { hz: 10 });
    const now = Date.now();
    // Ten one-second blocks two hours old, one straddling the limit (starts before it, ends
    // after), and three from the last half hour.
    const starts = [
      ...Array.from({ length: 10 }, (_, i) => now - 2 * HOUR_MS + i * 1000),
      now - HOUR_MS - 500,
      ...[1, 2, 3].map((i) => now - i * 600_000),
    ];
    await pool.query(
      `INSERT INTO sensor_measurement
         (sensor_id, start_time, end_time, sample_rate_hz, sequence, sample_count, samples)
       SELECT $1, to_timestamp(s / 1000.0), to_timestamp(s / 1000.0) + INTERVAL '1 s', 10, k,
              10, array_fill(0.25::real, ARRAY[10])
       FROM unnest($2::float8[]) WITH ORDINALITY AS u (s, k)`,
      [id, starts],
    );
    const deleted: number[] = [];
    const retention = new RawRetention(pool, {
      retentionMs: HOUR_MS,
      batchBlocks: 3,
      onDeleted: (n) => deleted.push(n),
      onError: (error) => {
        throw error;
      },
    });
    const total = await retention.runOnce(now);
    // Other tests' blocks older than an hour may go too; ours are exactly the ten.
    expect(total).toBeGreaterThanOrEqual(10);
    expect(deleted).toEqual([total]);
    const { rows } = await pool.query<{ seq: string }>(
      'SELECT sequence AS seq FROM sensor_measurement WHERE sensor_id = $1 ORDER BY sequence',
      [id],
    );
    expect(rows.map((r) => Number(r.seq))).toEqual([11, 12, 13, 14]);
    // Nothing left to do: a second run deletes none.
    expect(await retention.runOnce(now)).toBe(0);
    await retention.close();
  });
});
