// PostgreSQL's binary COPY format for sensor_measurement (time, sensor_id, value). Binary
// keeps microsecond timestamps exact and costs no text formatting or parsing per sample:
// 38 bytes a row, written straight into one buffer per batch.
import type { MeasurementBatch } from '../../internal/routing/index.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_OFFSET_US = 946_684_800_000_000n;
const ROW_BYTES = 2 + 3 * (4 + 8);

/** The file header: signature, flags, header-extension length. */
export function copyHeader(): Buffer {
  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header);
  return header;
}

/** The trailer: a field count of -1. */
export function copyTrailer(): Buffer {
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  return trailer;
}

/** Sample i of a batch is at start + i / rate, rounded to PostgreSQL's microsecond. */
export function sampleTimeUs(startTimeUs: number, index: number, rateHz: number): number {
  return startTimeUs + Math.round((index * 1_000_000) / rateHz);
}

/** The rows of one batch in binary COPY encoding. */
export function encodeBatchRows(sensorId: number, batch: MeasurementBatch): Buffer {
  const { values, startTimeUs, sampleRateHz } = batch;
  const out = Buffer.allocUnsafe(values.length * ROW_BYTES);
  const sensor = BigInt(sensorId);
  let offset = 0;
  for (let i = 0; i < values.length; i++) {
    const pgTime = BigInt(sampleTimeUs(startTimeUs, i, sampleRateHz)) - PG_EPOCH_OFFSET_US;
    offset = out.writeInt16BE(3, offset);
    offset = out.writeInt32BE(8, offset);
    offset = out.writeBigInt64BE(pgTime, offset);
    offset = out.writeInt32BE(8, offset);
    offset = out.writeBigInt64BE(sensor, offset);
    offset = out.writeInt32BE(8, offset);
    offset = out.writeDoubleBE(values[i] as number, offset);
  }
  return out;
}

/** An ISO timestamp with all six fractional digits (Date.toISOString stops at ms). */
export function microsToIso(us: number): string {
  const ms = Math.floor(us / 1000);
  const micro = us - ms * 1000;
  return new Date(ms).toISOString().replace('Z', `${String(micro).padStart(3, '0')}Z`);
}
