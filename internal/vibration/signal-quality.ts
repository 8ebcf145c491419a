// Is the window a measurement at all? A dead sensor, a converter driven past its range or a
// transport that filled a gap would otherwise be read as vibration: a flat line as a perfect
// machine, clipping as impacts (crest factor, kurtosis), a gap as a step.

export type SensorFaultKind = 'flat-line' | 'clipping' | 'dropout';

export interface SignalQuality {
  /** NaN or ±Infinity samples (they are analysed as 0 after mean removal). */
  readonly nonFinite: number;
  /** Samples on a rail where they pile up (see CLIPPING_PILEUP_RATIO); 0 when none does. */
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
 * Clipping is a pile-up on the rail: a converter driven past its range returns its full-scale
 * code for every sample beyond it, so the window's extreme value occurs many times and far
 * more often than the value just inside it. Counted on each rail separately:
 * - at least 3 samples exactly on the extreme (one or two equal extremes happen by chance);
 * - at least 5× as many as on the nearest value inside. A clean sine's arcsine distribution
 *   peaks at its crest, yet even coarsely quantised its top code holds only ≈ 2.4× the next
 *   one (1/(√2 − 1)), and a sine sampled at a multiple of its frequency repeats every value
 *   equally often; a Gaussian tail falls off towards the extreme. 5 leaves a factor 2.
 */
export const CLIPPING_MIN_SAMPLES = 3;
export const CLIPPING_PILEUP_RATIO = 5;

/**
 * Sixteen identical consecutive samples away from the rails are a dropout (a gap filled with
 * a held or zero value, a stuck converter): if a live sensor's noise spans even 4 converter
 * codes, 15 repeats in a row occur with probability 4^−15 ≈ 10⁻⁹ per sample.
 */
export const DROPOUT_MIN_RUN = 16;

/** Counts of the extreme value and of the nearest value inside it, along one rail. */
interface Rail {
  extreme: number;
  count: number;
  inside: number;
  insideCount: number;
}

/** Follows the largest value seen and the next distinct one below it (−x for the bottom rail). */
function updateRail(rail: Rail, x: number): void {
  if (x > rail.extreme) {
    rail.inside = rail.extreme;
    rail.insideCount = rail.count;
    rail.extreme = x;
    rail.count = 1;
  } else if (x === rail.extreme) rail.count++;
  else if (x > rail.inside) {
    rail.inside = x;
    rail.insideCount = 1;
  } else if (x === rail.inside) rail.insideCount++;
}

const piledUp = (rail: Rail): boolean =>
  rail.count >= CLIPPING_MIN_SAMPLES && rail.count >= CLIPPING_PILEUP_RATIO * rail.insideCount;

/** Checks the raw samples; `rmsG` is the mean-removed RMS from time-statistics.ts. */
export function signalQuality(samples: ArrayLike<number>, rmsG: number): SignalQuality {
  const n = samples.length;
  const top: Rail = { extreme: -Infinity, count: 0, inside: -Infinity, insideCount: 0 };
  const bottom: Rail = { extreme: -Infinity, count: 0, inside: -Infinity, insideCount: 0 };
  let nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i] ?? 0;
    if (!Number.isFinite(x)) {
      nonFinite++;
      continue;
    }
    updateRail(top, x);
    updateRail(bottom, -x);
  }
  const max = top.extreme;
  const min = -bottom.extreme;
  const clippedSamples = (piledUp(top) ? top.count : 0) + (piledUp(bottom) ? bottom.count : 0);

  let longestStuckRun = 0;
  let runStart = 0;
  // Runs of equal samples away from the rails (a held rail is clipping's business);
  // non-finite samples count as equal to each other (one gap).
  for (let i = 1; i <= n; i++) {
    const previous = samples[i - 1] ?? 0;
    const current = i < n ? (samples[i] ?? 0) : NaN;
    const same =
      i < n && (current === previous || (!Number.isFinite(current) && !Number.isFinite(previous)));
    if (same) continue;
    const length = i - runStart;
    if (previous !== max && previous !== min && length > longestStuckRun) longestStuckRun = length;
    runStart = i;
  }

  let fault: SensorFaultKind | null = null;
  if (rmsG < FLAT_RMS_G || max <= min) fault = 'flat-line';
  else if (clippedSamples > 0) fault = 'clipping';
  else if (nonFinite > 0 || longestStuckRun >= DROPOUT_MIN_RUN) fault = 'dropout';
  return { nonFinite, clippedSamples, longestStuckRun, fault };
}
