// Is the window a measurement at all? A dead sensor, a converter driven past its range or a
// transport that filled a gap would otherwise be read as vibration: a flat line as a perfect
// machine, clipping as impacts (crest factor, kurtosis), a gap as a step.

export type SensorFaultKind = 'flat-line' | 'clipping' | 'dropout';

export interface SignalQuality {
  /** NaN or ±Infinity samples (they are analysed as 0 after mean removal). */
  readonly nonFinite: number;
  /** Samples held on the window's maximum or minimum for CLIPPING_MIN_RUN or more in a row. */
  readonly clippedSamples: number;
  /** Longest run of identical consecutive samples away from the rails. */
  readonly longestStuckRun: number;
  readonly fault: SensorFaultKind | null;
}

/**
 * A window whose RMS is below 10 µg is flat: even low-noise industrial ICP accelerometers
 * resolve only tens to hundreds of µg over their band (broadband resolution on data sheets)
 * and MEMS sensors ~1 mg, so a live sensor on any machine, even one standing still, reads more.
 */
export const FLAT_RMS_G = 1e-5;

/**
 * Three or more consecutive samples exactly on the window's extreme value are a plateau: a
 * signal with content up to the analysis bandwidth (fs/2.56) changes between neighbouring
 * samples, so only the converter's full-scale limit holds it there. One such plateau means
 * the range was exceeded and peak, crest factor and kurtosis are computed from a truncated
 * waveform. (A single repeated extreme is not clipping: a sine sampled at an exact multiple
 * of its frequency revisits the same maximum sample every period.)
 */
export const CLIPPING_MIN_RUN = 3;

/**
 * Sixteen identical consecutive samples away from the rails are a dropout (a gap filled with
 * a held or zero value, a stuck converter): if a live sensor's noise spans even 4 converter
 * codes, 15 repeats in a row occur with probability 4^−15 ≈ 10⁻⁹ per sample.
 */
export const DROPOUT_MIN_RUN = 16;

/** Checks the raw samples; `rmsG` is the mean-removed RMS from time-statistics.ts. */
export function signalQuality(samples: ArrayLike<number>, rmsG: number): SignalQuality {
  const n = samples.length;
  let max = -Infinity;
  let min = Infinity;
  let nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i] ?? 0;
    if (!Number.isFinite(x)) {
      nonFinite++;
      continue;
    }
    if (x > max) max = x;
    if (x < min) min = x;
  }

  let clippedSamples = 0;
  let longestStuckRun = 0;
  let runStart = 0;
  // Runs of equal samples; non-finite samples count as equal to each other (one gap).
  for (let i = 1; i <= n; i++) {
    const previous = samples[i - 1] ?? 0;
    const current = i < n ? (samples[i] ?? 0) : NaN;
    const same =
      i < n && (current === previous || (!Number.isFinite(current) && !Number.isFinite(previous)));
    if (same) continue;
    const length = i - runStart;
    const atRail = previous === max || previous === min;
    if (atRail && length >= CLIPPING_MIN_RUN) clippedSamples += length;
    else if (!atRail && length > longestStuckRun) longestStuckRun = length;
    runStart = i;
  }

  let fault: SensorFaultKind | null = null;
  if (rmsG < FLAT_RMS_G || max === min) fault = 'flat-line';
  else if (clippedSamples > 0) fault = 'clipping';
  else if (nonFinite > 0 || longestStuckRun >= DROPOUT_MIN_RUN) fault = 'dropout';
  return { nonFinite, clippedSamples, longestStuckRun, fault };
}
