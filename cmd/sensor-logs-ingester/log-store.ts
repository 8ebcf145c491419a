// sensor_log rows, many at a time. One INSERT … SELECT FROM unnest(…) per batch: one statement
// is one transaction, so the batch is stored whole or not at all, with five array parameters
// whatever the row count. ON CONFLICT DO NOTHING against sensor_log_dedup_idx
// (sensor_id, time, md5(message)) skips a line that is already stored (a redelivery, or a
// device resending a line whose PUBACK it missed); RETURNING tells which rows were new.
import { createHash } from 'node:crypto';
import type { LogLine } from '../../internal/routing/index.js';

/** A pg.Pool, or anything that answers queries the same way (PGlite in tests). */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface LogRow {
  sensorId: number;
  line: LogLine;
}

export interface LogStore {
  /** Stores the rows in one transaction; `inserted[i]` is false when row i was already there. */
  insert(rows: readonly LogRow[]): Promise<{ inserted: boolean[] }>;
}

const INSERT = `
  INSERT INTO sensor_log (time, sensor_id, level, message, fields)
  SELECT u.time, u.sensor_id, u.level, u.message, u.fields
  FROM unnest($1::timestamptz[], $2::bigint[], $3::text[], $4::text[], $5::jsonb[])
    AS u(time, sensor_id, level, message, fields)
  ON CONFLICT DO NOTHING
  RETURNING sensor_id, time, md5(message) AS message_md5`;

interface Returned {
  sensor_id: string | number | bigint;
  time: Date | string;
  message_md5: string;
}

export class PgLogStore implements LogStore {
  constructor(private readonly db: Queryable) {}

  async insert(rows: readonly LogRow[]): Promise<{ inserted: boolean[] }> {
    if (rows.length === 0) return { inserted: [] };
    const { rows: returned } = await this.db.query<Returned>(INSERT, [
      rows.map((row) => new Date(row.line.timeMs).toISOString()),
      rows.map((row) => row.sensorId),
      rows.map((row) => row.line.level),
      rows.map((row) => row.line.message),
      rows.map((row) => JSON.stringify(row.line.fields)),
    ]);
    // Match what came back to the rows sent. The same line twice in one batch comes back once:
    // the first is new, the second a duplicate.
    const fresh = new Map<string, number>();
    for (const r of returned) {
      const key = rowKey(r.sensor_id, new Date(r.time).getTime(), r.message_md5);
      fresh.set(key, (fresh.get(key) ?? 0) + 1);
    }
    const inserted = rows.map((row) => {
      const key = rowKey(row.sensorId, row.line.timeMs, md5(row.line.message));
      const left = fresh.get(key) ?? 0;
      if (left > 0) fresh.set(key, left - 1);
      return left > 0;
    });
    return { inserted };
  }
}

function rowKey(sensorId: string | number | bigint, timeMs: number, messageMd5: string): string {
  return `${String(sensorId)}|${timeMs}|${messageMd5}`;
}

/** What PostgreSQL's md5(text) gives for a UTF-8 database. */
function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
