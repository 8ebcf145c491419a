// Cutting a sensor's stream of batches into analysis windows. Pure: the samples not yet part
// of a full window come in and go out as `pending` (stored with the sensor's state, so a
// restart or another replica carries on where this one stopped).
//
// A window is a run of consecutive samples at one rate. By default it is one batch (batches
// shorter than MIN_WINDOW_SAMPLES are joined until there are enough); with a configured
// length, batches are joined, and split where a window ends, until each window holds
// round(length × rate) samples. A batch that does not start where the pending samples end, or
// comes at another rate, starts afresh: the pending samples are dropped, never glued across a gap.
import { sampleTimeUs } from '../../internal/routing/index.js';
import { MAX_FFT_SIZE, MIN_WINDOW_SAMPLES } from '../../internal/vibration/index.js';

export interface SampleRun {
  /** Microseconds since the epoch of the first sample. */
  readonly startUs: number;
  readonly rateHz: number;
  readonly samples: Float32Array;
}

export interface Window extends SampleRun {
  /** Where the next sample would lie: the window is [startUs, endUs). */
  readonly endUs: number;
}

/** How long a window is: one batch, or a number of milliseconds. */
export type WindowLength =
  { readonly kind: 'batch' } | { readonly kind: 'ms'; readonly ms: number };

/** Samples per window at `rateHz` for batches of `batchSamples`, within what can be analysed. */
export function windowSamples(length: WindowLength, rateHz: number, batchSamples: number): number {
  const wanted = length.kind === 'batch' ? batchSamples : Math.round((length.ms * rateHz) / 1000);
  return Math.min(MAX_FFT_SIZE, Math.max(MIN_WINDOW_SAMPLES, wanted));
}

/** Where a run ends: the time its next sample would have. */
export const runEndUs = (run: SampleRun): number =>
  sampleTimeUs(run.startUs, run.samples.length, run.rateHz);

/**
 * Whether `batch` continues `pending`: same rate, and it starts where the pending samples end,
 * within half a sample period (each batch's start is rounded to the microsecond on its own).
 */
export function continues(pending: SampleRun, batch: SampleRun): boolean {
  if (pending.rateHz !== batch.rateHz) return false;
  return Math.abs(batch.startUs - runEndUs(pending)) <= 500_000 / batch.rateHz;
}

export interface Accumulated {
  /** Full windows, in time order. */
  readonly windows: Window[];
  /** What is left over for the next batch; null when nothing is. */
  readonly pending: SampleRun | null;
  /** True when pending samples were dropped because the batch did not continue them. */
  readonly dropped: boolean;
}

export function accumulate(
  pending: SampleRun | null,
  batch: SampleRun,
  length: WindowLength,
): Accumulated {
  const joined = pending !== null && pending.samples.length > 0 && continues(pending, batch);
  const dropped = pending !== null && pending.samples.length > 0 && !joined;
  let run: SampleRun = batch;
  if (joined) {
    const samples = new Float32Array(pending.samples.length + batch.samples.length);
    samples.set(pending.samples);
    samples.set(batch.samples, pending.samples.length);
    run = { startUs: pending.startUs, rateHz: batch.rateHz, samples };
  }
  const size = windowSamples(length, run.rateHz, batch.samples.length);
  const windows: Window[] = [];
  let offset = 0;
  for (; run.samples.length - offset >= size; offset += size) {
    windows.push({
      startUs: sampleTimeUs(run.startUs, offset, run.rateHz),
      endUs: sampleTimeUs(run.startUs, offset + size, run.rateHz),
      rateHz: run.rateHz,
      samples: run.samples.subarray(offset, offset + size),
    });
  }
  const rest = run.samples.length - offset;
  return {
    windows,
    pending:
      rest === 0
        ? null
        : {
            startUs: sampleTimeUs(run.startUs, offset, run.rateHz),
            rateHz: run.rateHz,
            samples: run.samples.slice(offset),
          },
    dropped,
  };
}
