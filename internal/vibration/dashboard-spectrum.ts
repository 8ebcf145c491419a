// Spectra thinned for storage and dashboards: at most a few hundred points per window, each
// the maximum of the bins it stands for, so a narrow line survives thinning at its full
// height (an average would divide a one-bin line by the bucket width).
import type { AmplitudeSpectrum } from './amplitude-spectrum.js';

/**
 * 512 points: a 1 s window at 25.6 kHz holds 16,385 bins; 512 buckets of 20 Hz keep every
 * running-speed harmonic of a 1500 rpm machine in its own bucket up to 10 kHz, and a plot is
 * rarely wider than that in pixels.
 */
export const DASHBOARD_POINTS = 512;

/**
 * Four significant digits: amplitudes to 0.05 %, far finer than any display, and about half
 * the JSON of full float64 text.
 */
const SIGNIFICANT_DIGITS = 4;

export interface DashboardSpectrum {
  /** Frequency of values[i] is i · stepHz (bucket start); each value is the bucket's peak. */
  readonly stepHz: number;
  readonly values: number[];
}

/** The spectrum from 0 to `maxHz`, thinned to at most `points` values. */
export function dashboardSpectrum(
  spec: AmplitudeSpectrum,
  maxHz: number,
  points = DASHBOARD_POINTS,
): DashboardSpectrum {
  const a = spec.amplitudes;
  const bins = Math.min(a.length, Math.floor(maxHz / spec.binHz) + 1);
  const perBucket = Math.max(1, Math.ceil(bins / points));
  const buckets = Math.ceil(bins / perBucket);
  const values = new Array<number>(buckets);
  for (let b = 0; b < buckets; b++) {
    let peak = 0;
    const end = Math.min(bins, (b + 1) * perBucket);
    for (let k = b * perBucket; k < end; k++) peak = Math.max(peak, a[k] ?? 0);
    values[b] = Number(peak.toPrecision(SIGNIFICANT_DIGITS));
  }
  return { stepHz: perBucket * spec.binHz, values };
}
