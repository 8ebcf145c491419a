// A sensor's healthy baseline and the anomaly score against it. The first N windows teach a
// running mean and variance per feature (Welford's algorithm: one pass, numerically stable,
// mergeable state of three numbers); every later window scores the RMS of its z-scores.
// The state is plain JSON (PostgreSQL jsonb): it survives restarts, and resetting it is
// starting a new one.
import { BaselineRateMismatchError, InvalidBaselineError } from './errors.js';
import type { FeatureName, FeatureVector } from './feature-vector.js';

export interface FeatureStatistics {
  /** Windows seen, their mean, and the sum of squared deviations (Welford's M2). */
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
}

export interface Baseline {
  readonly version: 1;
  /** Rate the baseline was learned at: band energies at another rate are not comparable. */
  readonly rateHz: number;
  /** Windows to learn from before scoring starts. */
  readonly windows: number;
  /** Windows learned so far (at most `windows`). */
  readonly learned: number;
  readonly features: Readonly<Partial<Record<FeatureName, FeatureStatistics>>>;
}

export type BaselineStatus = 'none' | 'learning' | 'ready' | 'rate-mismatch';

/** One minute of 1 s windows: enough for a stable mean and spread of each feature. */
export const DEFAULT_BASELINE_WINDOWS = 60;

/**
 * Standard-deviation floor, in natural-log units. ISO 10816-3 / 20816-3 (criterion II) regard
 * a change of broad-band vibration by 25 % of the zone B/C boundary as significant, even
 * inside a zone; read as 25 % of the current level (the same thing for a machine near that
 * boundary), the floor makes such a change 3 standard deviations. A perfectly steady baseline
 * (a synthetic machine, a looped recording) then scores an ordinary window near 0, not ∞.
 */
export const STD_FLOOR = Math.log(1.25) / 3;

/**
 * Score scale: the RMS of the z-scores. A healthy window scores ≈ 1 or less (z-scores of a
 * window from the baseline's own distribution have mean square 1); a window whose every
 * feature moved by ISO's significant 25 % scores 3; faults score far above.
 */
export const ANOMALY_ALERT_SCORE = 3;

/** What learning needs from a window (the analysis result satisfies it). */
export interface LearnableWindow {
  readonly rateHz: number;
  readonly featureVector: FeatureVector;
  readonly diagnosis: { readonly kind: string } | null;
}

export function createBaseline(options: { rateHz: number; windows?: number }): Baseline {
  const windows = options.windows ?? DEFAULT_BASELINE_WINDOWS;
  if (!Number.isInteger(windows) || windows < 2) {
    throw new InvalidBaselineError(
      `windows must be an integer ≥ 2 (a spread needs two), got ${windows}`,
    );
  }
  if (!(options.rateHz > 0))
    throw new InvalidBaselineError(`rateHz must be positive, got ${options.rateHz}`);
  return { version: 1, rateHz: options.rateHz, windows, learned: 0, features: {} };
}

/** A fresh baseline with the same rate and length (`iotctl baseline reset`). */
export function resetBaseline(baseline: Baseline): Baseline {
  return createBaseline({ rateHz: baseline.rateHz, windows: baseline.windows });
}

export function baselineStatus(baseline: Baseline | undefined, rateHz: number): BaselineStatus {
  if (baseline === undefined) return 'none';
  if (baseline.rateHz !== rateHz) return 'rate-mismatch';
  return baseline.learned >= baseline.windows ? 'ready' : 'learning';
}

/**
 * The baseline after learning `window`. Unchanged once complete, and for a window diagnosed
 * as a sensor fault (a dead channel is not the machine's healthy state). Throws
 * BaselineRateMismatchError for a window at another rate.
 */
export function learnBaseline(baseline: Baseline, window: LearnableWindow): Baseline {
  if (baseline.rateHz !== window.rateHz)
    throw new BaselineRateMismatchError(baseline.rateHz, window.rateHz);
  if (baseline.learned >= baseline.windows || window.diagnosis?.kind === 'sensor_fault')
    return baseline;
  const features: Partial<Record<FeatureName, FeatureStatistics>> = { ...baseline.features };
  for (const [name, value] of Object.entries(window.featureVector) as [FeatureName, number][]) {
    const previous = features[name] ?? { n: 0, mean: 0, m2: 0 };
    const n = previous.n + 1;
    const delta = value - previous.mean;
    const mean = previous.mean + delta / n;
    features[name] = { n, mean, m2: previous.m2 + delta * (value - mean) };
  }
  return { ...baseline, learned: baseline.learned + 1, features };
}

/** RMS of the window's z-scores over the features both share; null until the baseline is ready. */
export function anomalyScore(
  baseline: Baseline,
  window: Omit<LearnableWindow, 'diagnosis'>,
): number | null {
  if (baselineStatus(baseline, window.rateHz) !== 'ready') return null;
  let sum = 0;
  let count = 0;
  for (const [name, value] of Object.entries(window.featureVector) as [FeatureName, number][]) {
    const stats = baseline.features[name];
    if (stats === undefined || stats.n < 2) continue;
    const std = Math.max(Math.sqrt(stats.m2 / (stats.n - 1)), STD_FLOOR);
    const z = (value - stats.mean) / std;
    sum += z * z;
    count++;
  }
  return count > 0 ? Math.sqrt(sum / count) : null;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A baseline from stored JSON (a string or the parsed object); throws InvalidBaselineError. */
export function parseBaseline(stored: unknown): Baseline {
  let value: unknown = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch (cause) {
      throw new InvalidBaselineError('not JSON', { cause });
    }
  }
  if (typeof value !== 'object' || value === null) throw new InvalidBaselineError('not an object');
  const b = value as Record<string, unknown>;
  if (b.version !== 1) throw new InvalidBaselineError(`unknown version ${String(b.version)}`);
  if (!isFiniteNumber(b.rateHz) || b.rateHz <= 0)
    throw new InvalidBaselineError('rateHz must be positive');
  if (!isCount(b.windows) || b.windows < 2)
    throw new InvalidBaselineError('windows must be an integer ≥ 2');
  if (!isCount(b.learned) || b.learned > b.windows)
    throw new InvalidBaselineError('learned must be 0..windows');
  if (typeof b.features !== 'object' || b.features === null)
    throw new InvalidBaselineError('features missing');
  const features: Partial<Record<FeatureName, FeatureStatistics>> = {};
  for (const [name, s] of Object.entries(b.features as Record<string, unknown>)) {
    const f = s as Record<string, unknown> | null;
    if (
      f === null ||
      !isCount(f.n) ||
      !isFiniteNumber(f.mean) ||
      !isFiniteNumber(f.m2) ||
      f.m2 < 0
    ) {
      throw new InvalidBaselineError(`feature ${name} must be { n, mean, m2 } with m2 ≥ 0`);
    }
    features[name as FeatureName] = { n: f.n, mean: f.mean, m2: f.m2 };
  }
  return { version: 1, rateHz: b.rateHz, windows: b.windows, learned: b.learned, features };
}
