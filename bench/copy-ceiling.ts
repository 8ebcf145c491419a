// The database's ceiling for this write: the same number of rows, in the same binary COPY
// encoding and the same groups of rows per statement, into an empty table shaped like
// sensor_measurement (same indexes), from one client as fast as it goes. The rows are
// encoded before the clock starts, so this is PostgreSQL's rate, not the encoder's.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { MeasurementBatch } from '../internal/routing/index.js';
import {
  copyHeader,
  copyTrailer,
  encodeBatchRows,
} from '../cmd/sensor-measurements-ingester/binary-copy.js';

const TABLE = 'bench_copy_ceiling';

export interface CopyCeiling {
  rows: number;
  statements: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface CopyCeilingInput {
  /** The owner role's URL: creating a table needs it. */
  ownerUrl: string;
  rows: number;
  sensorIds: readonly number[];
  frequencyHz: number;
  /** Rows per COPY statement: the ingester's IOT_INGEST_BATCH_ROWS. */
  rowsPerStatement: number;
}

/** Batches of one second per sensor, round-robin over the sensors, until `rows` rows. */
function* syntheticBatches(input: CopyCeilingInput): Generator<[number, MeasurementBatch]> {
  const ids = input.sensorIds.length > 0 ? input.sensorIds : [1];
  const startUs = Date.now() * 1000 - 3_600_000_000;
  let left = input.rows;
  for (let second = 0; left > 0; second++) {
    for (const id of ids) {
      if (left <= 0) return;
      const n = Math.min(left, Math.max(1, Math.round(input.frequencyHz)));
      left -= n;
      const values = Array.from({ length: n }, (_, i) => Math.sin(i / 7));
      yield [
        id,
        {
          schemaVersion: 1,
          serial: 'BENCH',
          sequence: second,
          startTimeUs: startUs + second * 1_000_000,
          sampleRateHz: input.frequencyHz,
          values,
          publishedAtMs: 0,
        },
      ];
    }
  }
}

/** The COPY bodies, one per statement, each header + rows + trailer. */
function encodeStatements(input: CopyCeilingInput): Buffer[][] {
  const statements: Buffer[][] = [];
  let current: Buffer[] = [];
  let rows = 0;
  for (const [id, batch] of syntheticBatches(input)) {
    current.push(encodeBatchRows(id, batch));
    rows += batch.values.length;
    if (rows >= input.rowsPerStatement) {
      statements.push(current);
      current = [];
      rows = 0;
    }
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

export async function measureCopyCeiling(input: CopyCeilingInput): Promise<CopyCeiling> {
  const statements = encodeStatements(input);
  const client = new pg.Client({ connectionString: input.ownerUrl, application_name: 'bench' });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await client.query(`CREATE TABLE ${TABLE} (LIKE sensor_measurement INCLUDING ALL)`);
    const started = process.hrtime.bigint();
    for (const chunks of statements) {
      const stream = client.query(
        copyFrom(`COPY ${TABLE} (time, sensor_id, value) FROM STDIN (FORMAT binary)`),
      );
      await pipeline(Readable.from([copyHeader(), ...chunks, copyTrailer()]), stream);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      rows: input.rows,
      statements: statements.length,
      seconds,
      rowsPerSecond: seconds > 0 ? input.rows / seconds : 0,
    };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
    await client.end();
  }
}
