// Where the samples of a measurement batch lie in time. No timestamp travels per sample:
// sample i of a batch was taken at start + i / rate, rounded to the microsecond that
// PostgreSQL and the wire format keep. A batch ends where its next sample would lie, so a
// device's consecutive batches meet exactly.
import type { MeasurementBatch } from './messages.js';

/** Microseconds since the epoch of sample `index` (from 0) of a batch. */
export function sampleTimeUs(startTimeUs: number, index: number, rateHz: number): number {
  return startTimeUs + Math.round((index * 1_000_000) / rateHz);
}

/** Where a batch ends: the time its next sample would have, in microseconds since the epoch. */
export function batchEndUs(
  batch: Pick<MeasurementBatch, 'startTimeUs' | 'sampleRateHz'> & {
    values: { length: number };
  },
): number {
  return sampleTimeUs(batch.startTimeUs, batch.values.length, batch.sampleRateHz);
}

/**
 * How far two of a sensor's batches may overlap and still count as meeting: less than half a
 * sample period. Start and end times are rounded to the microsecond separately (a device
 * computes each batch's start from its first sample, the platform each end from the start),
 * so where a period is no whole number of microseconds consecutive batches can overlap by 1 µs.
 */
export function meetingSlackUs(rateHz: number): number {
  return Math.floor(500_000 / rateHz);
}
