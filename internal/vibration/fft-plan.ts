// FFT plans, one per power-of-two size, built once and reused: fft.js precomputes its twiddle
// and bit-reversal tables per instance, and the scratch buffers below spare the garbage
// collector two large arrays per window. Everything here is synchronous, so one set of
// buffers per size is safe to share between calls within a process.
import FFT from 'fft.js';

/** A plan for one size: the transform and its scratch buffers (contents are not preserved). */
export interface FftPlan {
  readonly size: number;
  readonly fft: FFT;
  /** Real input, `size` samples. */
  readonly real: Float64Array;
  /** Complex output (interleaved re, im), 2·size numbers. */
  readonly spectrum: Float64Array;
  /** A second complex buffer (interleaved), 2·size numbers, for inverse transforms. */
  readonly complex: Float64Array;
}

/**
 * The largest transform we build: a 1 s window at 25.6 kHz pads to 32,768; 2^20 leaves room
 * for longer windows and refuses sizes whose tables alone would take tens of megabytes.
 */
export const MAX_FFT_SIZE = 1 << 20;

const plans = new Map<number, FftPlan>();

/** Smallest power of two ≥ n (and ≥ 2, the smallest size fft.js accepts). */
export function nextPowerOfTwo(n: number): number {
  let size = 2;
  while (size < n) size *= 2;
  return size;
}

/** The shared plan for `size`, a power of two between 2 and MAX_FFT_SIZE. */
export function fftPlan(size: number): FftPlan {
  let plan = plans.get(size);
  if (plan === undefined) {
    if (size > MAX_FFT_SIZE) throw new RangeError(`FFT size ${size} exceeds ${MAX_FFT_SIZE}`);
    plan = {
      size,
      fft: new FFT(size),
      real: new Float64Array(size),
      spectrum: new Float64Array(2 * size),
      complex: new Float64Array(2 * size),
    };
    // Sizes are powers of two up to 2^20, so at most 20 plans ever exist: no eviction needed.
    plans.set(size, plan);
  }
  return plan;
}
