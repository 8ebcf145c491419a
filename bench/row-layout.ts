// The storage layout before waveform blocks, kept only as the bench's reference ceiling: one
// row per sample, (time, sensor_id, value float8), indexed by (sensor_id, time), in binary
// COPY encoding (38 bytes a row).
import { sampleTimeUs, type MeasurementBatch } from '../internal/routing/index.js';

export const ROW_LAYOUT_COLUMNS = 'time, sensor_id, value';

export const ROW_LAYOUT_DDL = (table: string) =>
  `CREATE TABLE ${table} (time timestamptz NOT NULL, sensor_id bigint NOT NULL,
                          value double precision NOT NULL);
   CREATE INDEX ON ${table} (sensor_id, time)`;

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_OFFSET_US = 946_684_800_000_000n;
const ROW_BYTES = 2 + 3 * (4 + 8);

/** The rows of one batch, a sample each. */
export function encodeSampleRows(sensorId: number, batch: MeasurementBatch): Buffer {
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
