// Writes a group of measurement batches in ONE transaction: record each (sensor, sequence) in
// ingested_batch, skipping those already recorded, then COPY the samples of the new ones.
// A batch redelivered after a crash finds its sequence recorded and is not written twice; a
// crash before COMMIT leaves nothing, and the broker redelivers the unacked messages.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { MeasurementBatch } from '../../internal/routing/index.js';
import { copyHeader, copyTrailer, encodeBatchRows, microsToIso } from './binary-copy.js';

export interface ResolvedBatch {
  sensorId: number;
  batch: MeasurementBatch;
}

/** Per input batch: stored now, or already stored by an earlier delivery. */
export type WriteResult = 'stored' | 'duplicate';

export async function writeMeasurementBatches(
  pool: pg.Pool,
  batches: readonly ResolvedBatch[],
): Promise<WriteResult[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const fresh = await recordBatches(client, batches);
    const rows = batches.filter((_, i) => fresh[i]);
    if (rows.length > 0) await copyRows(client, rows);
    await client.query('COMMIT');
    return fresh.map((isNew) => (isNew ? 'stored' : 'duplicate'));
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Inserts every (sensor, sequence) once; true for those this transaction recorded first. */
async function recordBatches(client: pg.PoolClient, batches: readonly ResolvedBatch[]) {
  const { rows } = await client.query<{ sensor_id: string; sequence: string }>(
    `INSERT INTO ingested_batch (sensor_id, sequence, start_time, sample_count)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::int[])
       AS b (sensor_id, sequence, start_time, sample_count)
     -- Keys locked in one order by every transaction: concurrent groups never deadlock.
     ORDER BY sensor_id, sequence
     ON CONFLICT (sensor_id, sequence) DO NOTHING
     RETURNING sensor_id, sequence`,
    [
      batches.map((b) => b.sensorId),
      batches.map((b) => b.batch.sequence),
      batches.map((b) => microsToIso(b.batch.startTimeUs)),
      batches.map((b) => b.batch.values.length),
    ],
  );
  const inserted = new Set(rows.map((r) => `${r.sensor_id}:${r.sequence}`));
  // The same batch twice in one group: only its first occurrence is new.
  return batches.map((b) => inserted.delete(`${b.sensorId}:${b.batch.sequence}`));
}

async function copyRows(client: pg.PoolClient, batches: readonly ResolvedBatch[]) {
  const stream = client.query(
    copyFrom('COPY sensor_measurement (time, sensor_id, value) FROM STDIN (FORMAT binary)'),
  );
  function* chunks() {
    yield copyHeader();
    for (const { sensorId, batch } of batches) yield encodeBatchRows(sensorId, batch);
    yield copyTrailer();
  }
  await pipeline(Readable.from(chunks()), stream);
}
