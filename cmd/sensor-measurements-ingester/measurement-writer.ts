// Writes a group of measurement batches as waveform blocks in ONE transaction. The block
// table's key (sensor, start time) makes a redelivered batch a duplicate by itself; a block
// that overlaps another block of its sensor in any other way is refused, never stored twice.
// A crash before COMMIT leaves nothing, and the broker redelivers the unacked messages.
//
// 1. Lock each sensor of the group (sorted, so concurrent groups never deadlock): checks and
//    inserts of one sensor's blocks never interleave, across groups or ingester replicas.
// 2. Sort out duplicates and overlaps inside the group itself.
// 3. Probe each block's neighbours in sensor_measurement: the stored block that starts at or
//    before it, and the one after it. Stored blocks never overlap each other (by more than the
//    rounding slack of batch-time.ts), so these two decide: the same block again is a
//    duplicate, anything else that reaches into it an overlap.
// 4. COPY the new blocks, binary, into sensor_measurement; COMMIT.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { batchEndUs, meetingSlackUs, type MeasurementBatch } from '../../internal/routing/index.js';
import {
  BLOCK_COLUMNS,
  copyHeader,
  copyTrailer,
  encodeBlockRow,
} from '../../internal/storage/index.js';

export interface ResolvedBatch {
  sensorId: number;
  batch: MeasurementBatch;
}

/** Per input batch: stored now, already stored by an earlier delivery, or refused (why). */
export type WriteResult =
  { kind: 'stored' } | { kind: 'duplicate' } | { kind: 'overlap'; reason: string };

/** Advisory-lock class of the per-sensor block locks (any constant no other lock uses). */
const BLOCK_LOCK_CLASS = 0x1b10c;

export async function writeMeasurementBatches(
  pool: pg.Pool,
  batches: readonly ResolvedBatch[],
): Promise<WriteResult[]> {
  const results = classifyWithinGroup(batches);
  const candidates = batches.filter((_, i) => results[i] === undefined);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const lockKeys = [...new Set(candidates.map((b) => b.sensorId % 2 ** 31))].sort(
      (a, b) => a - b,
    );
    await client.query(
      // The keys are sorted; unnest hands them to the function in that order.
      'SELECT pg_advisory_xact_lock($1, s) FROM unnest($2::int[]) AS s',
      [BLOCK_LOCK_CLASS, lockKeys],
    );
    const verdicts =
      candidates.length > 0
        ? await probeNeighbours(client, candidates)
        : new Map<string, WriteResult>();
    const accepted = candidates.filter((c) => !verdicts.has(blockKey(c)));
    if (accepted.length > 0) await copyBlocks(client, accepted);
    await client.query('COMMIT');
    return batches.map((b, i) => results[i] ?? verdicts.get(blockKey(b)) ?? { kind: 'stored' });
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const blockKey = (b: ResolvedBatch) => `${b.sensorId}:${b.batch.startTimeUs}`;

const describe = (b: Pick<MeasurementBatch, 'sequence' | 'startTimeUs'>) =>
  `sequence ${b.sequence} at ${new Date(b.startTimeUs / 1000).toISOString()}`;

/** Duplicates and overlaps among the group's own batches; undefined for the first of each. */
function classifyWithinGroup(batches: readonly ResolvedBatch[]): (WriteResult | undefined)[] {
  const order = batches
    .map((b, i) => ({ b, i }))
    .sort((x, y) => x.b.sensorId - y.b.sensorId || x.b.batch.startTimeUs - y.b.batch.startTimeUs);
  const results: (WriteResult | undefined)[] = batches.map(() => undefined);
  let kept: ResolvedBatch | undefined;
  for (const { b, i } of order) {
    const slackUs = meetingSlackUs(b.batch.sampleRateHz);
    if (kept?.sensorId === b.sensorId && b.batch.startTimeUs + slackUs < batchEndUs(kept.batch)) {
      results[i] = sameBlock(kept.batch, b.batch)
        ? sameSamples(kept.batch.values, b.batch.values)
          ? { kind: 'duplicate' }
          : { kind: 'overlap', reason: reusedReason(b.batch) }
        : { kind: 'overlap', reason: overlapReason(b.batch, kept.batch) };
      continue;
    }
    kept = b;
  }
  return results;
}

function sameBlock(
  a: Pick<MeasurementBatch, 'startTimeUs' | 'sequence'> & { values: { length: number } },
  b: Pick<MeasurementBatch, 'startTimeUs' | 'sequence'> & { values: { length: number } },
) {
  return (
    a.startTimeUs === b.startTimeUs &&
    a.sequence === b.sequence &&
    a.values.length === b.values.length
  );
}

/**
 * Whether a block's samples are the stored ones. PostgreSQL hands real[] back as decimal
 * text, the shortest that reads back as the same float32, so both sides are compared as
 * float32 (Math.fround).
 */
function sameSamples(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (Math.fround(a[i]!) !== Math.fround(b[i]!)) return false;
  return true;
}

/**
 * A block with a stored block's start, sequence and length but other samples is not a
 * redelivery: the device reused a sequence number (a reset counter, a replayed buffer).
 * Storing either silently would lose data; it is dead-lettered, with this reason, for a look.
 */
function reusedReason(batch: MeasurementBatch) {
  return `sequence-reused: block ${describe(batch)} has the start, sequence and length of a stored block but other samples`;
}

function overlapReason(
  batch: MeasurementBatch,
  other: Pick<MeasurementBatch, 'sequence' | 'startTimeUs'>,
) {
  return `block ${describe(batch)} (${batch.values.length} samples at ${batch.sampleRateHz} Hz) overlaps the stored block ${describe(other)}`;
}

interface Neighbours {
  sensor_id: string;
  start_us: string;
  prev_start_us: string | null;
  prev_sequence: string | null;
  prev_count: number | null;
  /** The stored samples, only where the block starts exactly where the candidate does. */
  prev_samples: number[] | null;
  next_start_us: string | null;
  next_sequence: string | null;
}

/** Duplicates and overlaps with stored blocks, by block key; the rest are new. */
async function probeNeighbours(client: pg.PoolClient, candidates: readonly ResolvedBatch[]) {
  // Microseconds travel as integers: exact, and no timestamp text on either side.
  const { rows } = await client.query<Neighbours>(
    `WITH c AS (
       SELECT id AS sensor_id, start_us,
              'epoch'::timestamptz + start_us * INTERVAL '1 microsecond' AS start_time,
              'epoch'::timestamptz + end_us * INTERVAL '1 microsecond' AS end_time,
              slack_us * INTERVAL '1 microsecond' AS slack
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[])
         AS u (id, start_us, end_us, slack_us))
     SELECT c.sensor_id, c.start_us,
       ${us('p.start_time')} AS prev_start_us, p.sequence AS prev_sequence,
       p.sample_count AS prev_count,
       CASE WHEN p.start_time = c.start_time THEN p.samples END AS prev_samples,
       ${us('n.start_time')} AS next_start_us, n.sequence AS next_sequence
     FROM c
     LEFT JOIN LATERAL (
       SELECT start_time, end_time, sequence, sample_count, samples FROM sensor_measurement m
       WHERE m.sensor_id = c.sensor_id AND m.start_time <= c.start_time
         AND m.start_time > c.start_time - INTERVAL '10 minutes'
       ORDER BY m.start_time DESC LIMIT 1) p ON p.end_time > c.start_time + c.slack
     LEFT JOIN LATERAL (
       SELECT start_time, sequence FROM sensor_measurement m
       WHERE m.sensor_id = c.sensor_id AND m.start_time > c.start_time
         AND m.start_time < c.end_time - c.slack
       ORDER BY m.start_time LIMIT 1) n ON TRUE
     WHERE p.start_time IS NOT NULL OR n.start_time IS NOT NULL`,
    [
      candidates.map((c) => c.sensorId),
      candidates.map((c) => c.batch.startTimeUs),
      candidates.map((c) => batchEndUs(c.batch)),
      candidates.map((c) => meetingSlackUs(c.batch.sampleRateHz)),
    ],
  );
  const byKey = new Map(candidates.map((c) => [blockKey(c), c]));
  const verdicts = new Map<string, WriteResult>();
  for (const row of rows) {
    const key = `${row.sensor_id}:${row.start_us}`;
    const candidate = byKey.get(key);
    if (!candidate) continue;
    const prev =
      row.prev_start_us === null
        ? undefined
        : {
            startTimeUs: Number(row.prev_start_us),
            sequence: Number(row.prev_sequence),
            values: { length: row.prev_count ?? 0 },
          };
    const other = prev ?? {
      sequence: Number(row.next_sequence),
      startTimeUs: Number(row.next_start_us),
    };
    let verdict: WriteResult = { kind: 'overlap', reason: overlapReason(candidate.batch, other) };
    if (prev && sameBlock(prev, candidate.batch)) {
      verdict = sameSamples(row.prev_samples ?? [], candidate.batch.values)
        ? { kind: 'duplicate' }
        : { kind: 'overlap', reason: reusedReason(candidate.batch) };
    }
    verdicts.set(key, verdict);
  }
  return verdicts;
}

const us = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint`;

async function copyBlocks(client: pg.PoolClient, blocks: readonly ResolvedBatch[]) {
  function* chunks() {
    yield copyHeader();
    for (const { sensorId, batch } of blocks) yield encodeBlockRow(sensorId, batch);
    yield copyTrailer();
  }
  const copy = client.query(
    copyFrom(`COPY sensor_measurement (${BLOCK_COLUMNS}) FROM STDIN (FORMAT binary)`),
  );
  await pipeline(Readable.from(chunks()), copy);
}
