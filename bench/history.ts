// Fills the run's table with earlier data before the read-back, so reads are measured against
// a table as full as a long-running plant's: `seconds` of one-second blocks for every sensor
// of the run, ending where the run began, streamed by binary COPY (never held in memory).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  BLOCK_COLUMNS,
  copyHeader,
  copyTrailer,
  encodeBlockRow,
} from '../internal/storage/index.js';

/** Blocks per COPY statement: a few MB each at 10 kHz. */
const BLOCKS_PER_STATEMENT = 200;

export interface HistoryInput {
  ownerUrl: string;
  sensorIds: readonly number[];
  frequencyHz: number;
  seconds: number;
  /** The run's first block: history ends a second before it. */
  beforeUs: number;
}

function* statementBodies(input: HistoryInput): Generator<Generator<Buffer>> {
  const n = Math.max(1, Math.round(input.frequencyHz));
  const values = Array.from({ length: n }, (_, i) => Math.sin(i / 7));
  const firstUs = input.beforeUs - (input.seconds + 1) * 1_000_000;
  const blocks = function* (from: number, to: number) {
    yield copyHeader();
    for (let k = from; k < to; k++) {
      const second = Math.floor(k / input.sensorIds.length);
      const id = input.sensorIds[k % input.sensorIds.length] as number;
      yield encodeBlockRow(id, {
        schemaVersion: 1,
        serial: 'HISTORY',
        sequence: second + 1,
        startTimeUs: firstUs + second * 1_000_000,
        sampleRateHz: input.frequencyHz,
        values,
        publishedAtMs: 0,
      });
    }
    yield copyTrailer();
  };
  const total = input.seconds * input.sensorIds.length;
  for (let k = 0; k < total; k += BLOCKS_PER_STATEMENT) {
    yield blocks(k, Math.min(total, k + BLOCKS_PER_STATEMENT));
  }
}

/** Writes the history; returns how many samples it added. */
export async function fillHistory(input: HistoryInput): Promise<number> {
  if (input.seconds <= 0 || input.sensorIds.length === 0) return 0;
  const client = new pg.Client({ connectionString: input.ownerUrl, application_name: 'bench' });
  await client.connect();
  try {
    for (const body of statementBodies(input)) {
      const stream = client.query(
        copyFrom(`COPY sensor_measurement (${BLOCK_COLUMNS}) FROM STDIN (FORMAT binary)`),
      );
      await pipeline(Readable.from(body), stream);
    }
  } finally {
    await client.end();
  }
  return input.seconds * input.sensorIds.length * Math.max(1, Math.round(input.frequencyHz));
}
