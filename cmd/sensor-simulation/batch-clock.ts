// Exact sample timing. A sensor samples at a fixed rate from t0; batch k holds samples
// [k·n, (k+1)·n) with n = round(rate × interval) fixed for the run, and sample i was taken at
// t0 + i/rate. Every start time is computed from k (never by adding intervals), so rounding to
// microseconds never accumulates: consecutive batches meet without gap or overlap.

export interface BatchClockOptions {
  /** Time of sample 0, in microseconds since the Unix epoch. */
  readonly startUs: number;
  readonly sampleRateHz: number;
  /** Wanted batch duration; the real one is samplesPerBatch / sampleRateHz. */
  readonly intervalMs: number;
}

/** Samples in one batch: the interval's worth at this rate, at least one. */
export function samplesPerBatch(sampleRateHz: number, intervalMs: number): number {
  return Math.max(1, Math.round((sampleRateHz * intervalMs) / 1000));
}

export class BatchClock {
  readonly startUs: number;
  readonly sampleRateHz: number;
  readonly samplesPerBatch: number;

  constructor(options: BatchClockOptions) {
    this.startUs = options.startUs;
    this.sampleRateHz = options.sampleRateHz;
    this.samplesPerBatch = samplesPerBatch(options.sampleRateHz, options.intervalMs);
  }

  /** Index of batch k's first sample. */
  firstSample(k: number): number {
    return k * this.samplesPerBatch;
  }

  /** Time of batch k's first sample: t0 + round(k·n·1e6 / rate) µs. */
  batchStartUs(k: number): number {
    return this.startUs + Math.round((k * this.samplesPerBatch * 1e6) / this.sampleRateHz);
  }

  /** Batch k is complete (its last sample taken) once the clock reaches batch k+1's start. */
  batchEndUs(k: number): number {
    return this.batchStartUs(k + 1);
  }

  /** The wall-clock millisecond from which batch k can be emitted. */
  batchDueMs(k: number): number {
    return Math.ceil(this.batchEndUs(k) / 1000);
  }

  /** How many batches from `nextK` on are complete at `nowMs` (more than one if late). */
  dueCount(nextK: number, nowMs: number): number {
    let count = 0;
    while (this.batchEndUs(nextK + count) <= nowMs * 1000) count++;
    return count;
  }
}

/**
 * The first sequence number of a boot. The platform tells a redelivered batch from another
 * one starting at the same time by its sequence (and the analytics and operators follow
 * batches by it), so a sensor that reboots must not count from 1 again. A real device has no memory to spare for a counter
 * that survives power loss, but it has a clock: seeding with the boot time in milliseconds ×
 * 1000 and adding the batch index k makes numbers strictly increasing across reboots as long as
 * a boot produces fewer than 1000 batches per millisecond of uptime (the batch interval is at
 * least 10 ms) and the clock does not go backwards. 1.7e12 ms × 1000 ≈ 1.7e15 stays below
 * 2^53 ≈ 9e15 (exact in a JavaScript number and in the int64 on the wire) until the year 2255.
 */
export function firstSequence(bootMs: number): number {
  return Math.trunc(bootMs) * 1000;
}
