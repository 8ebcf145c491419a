// The database's ceilings for this write, from one client as fast as it goes, into empty
// tables, with the COPY bodies encoded before the clock starts (PostgreSQL's rate, not the
// encoder's):
// - blocks: the same batches as the ingester writes them, one row each, into a table like
//   sensor_measurement (same indexes), in statements of the ingester's group size;
// - rows: the same samples in the layout before blocks (a row per sample, `(sensor_id, time)`
//   indexed), for reference: what blocks bought.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { MeasurementBatch } from '../internal/routing/index.js';
import {
  BLOCK_COLUMNS,
  copyHeader,
  copyTrailer,
  encodeBlockRow,
} from '../internal/storage/index.js';
import { ROW_LAYOUT_COLUMNS, ROW_LAYOUT_DDL, encodeSampleRows } from './row-layout.js';

export interface CopyCeiling {
  samples: number;
  statements: number;
  seconds: number;
  samplesPerSecond: number;
}

export interface CopyCeilingInput {
  /** The owner role's URL: creating a table needs it. */
  ownerUrl: string;
  samples: number;
  sensorIds: readonly number[];
  frequencyHz: number;
  /** Samples per COPY statement: the ingester's IOT_INGEST_BATCH_ROWS. */
  samplesPerStatement: number;
}

/** Batches of one second per sensor, round-robin over the sensors, until `samples`. */
function* syntheticBatches(input: CopyCeilingInput): Generator<[number, MeasurementBatch]> {
  const ids = input.sensorIds.length > 0 ? input.sensorIds : [1];
  const startUs = Date.now() * 1000 - 3_600_000_000;
  const perBatch = Math.max(1, Math.round(input.frequencyHz));
  const values = Array.from({ length: perBatch }, (_, i) => Math.sin(i / 7));
  let left = input.samples;
  for (let second = 0; left > 0; second++) {
    for (const id of ids) {
      if (left <= 0) return;
      const n = Math.min(left, perBatch);
      left -= n;
      yield [
        id,
        {
          schemaVersion: 1,
          serial: 'BENCH',
          sequence: second + 1,
          startTimeUs: startUs + second * 1_000_000,
          sampleRateHz: input.frequencyHz,
          values: n === perBatch ? values : values.slice(0, n),
          publishedAtMs: 0,
        },
      ];
    }
  }
}

/** The COPY bodies, one per statement, each header + rows + trailer. */
function encodeStatements(
  input: CopyCeilingInput,
  encode: (id: number, batch: MeasurementBatch) => Buffer,
): Buffer[][] {
  const statements: Buffer[][] = [];
  let current: Buffer[] = [];
  let samples = 0;
  for (const [id, batch] of syntheticBatches(input)) {
    current.push(encode(id, batch));
    samples += batch.values.length;
    if (samples >= input.samplesPerStatement) {
      statements.push(current);
      current = [];
      samples = 0;
    }
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

async function measure(
  input: CopyCeilingInput,
  table: { name: string; ddl: string; columns: string },
  encode: (id: number, batch: MeasurementBatch) => Buffer,
): Promise<CopyCeiling> {
  const statements = encodeStatements(input, encode);
  const client = new pg.Client({ connectionString: input.ownerUrl, application_name: 'bench' });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${table.name}`);
    await client.query(table.ddl);
    const started = process.hrtime.bigint();
    for (const chunks of statements) {
      const stream = client.query(
        copyFrom(`COPY ${table.name} (${table.columns}) FROM STDIN (FORMAT binary)`),
      );
      await pipeline(Readable.from([copyHeader(), ...chunks, copyTrailer()]), stream);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      samples: input.samples,
      statements: statements.length,
      seconds,
      samplesPerSecond: seconds > 0 ? input.samples / seconds : 0,
    };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table.name}`).catch(() => undefined);
    await client.end();
  }
}

/** COPY of the batches as blocks into a table like sensor_measurement. */
export function measureBlockCopyCeiling(input: CopyCeilingInput): Promise<CopyCeiling> {
  const name = 'bench_block_ceiling';
  return measure(
    input,
    {
      name,
      ddl: `CREATE TABLE ${name} (LIKE sensor_measurement INCLUDING ALL);
            ALTER TABLE ${name} ALTER COLUMN samples SET STORAGE EXTERNAL`,
      columns: BLOCK_COLUMNS,
    },
    encodeBlockRow,
  );
}

/** COPY of the same samples one row each, the layout before blocks. */
export function measureRowCopyCeiling(input: CopyCeilingInput): Promise<CopyCeiling> {
  const name = 'bench_row_ceiling';
  return measure(
    input,
    { name, ddl: ROW_LAYOUT_DDL(name), columns: ROW_LAYOUT_COLUMNS },
    encodeSampleRows,
  );
}
