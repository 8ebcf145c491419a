import { describe, expect, it } from 'vitest';
import {
  ANOMALY_ALERT_SCORE,
  anomalyScore,
  baselineStatus,
  createBaseline,
  learnBaseline,
  parseBaseline,
  resetBaseline,
  STD_FLOOR,
  type Baseline,
} from './baseline.js';
import { BaselineRateMismatchError, InvalidBaselineError } from './errors.js';
import type { FeatureVector } from './feature-vector.js';

const RATE = 1000;
const window = (featureVector: FeatureVector, kind?: string) => ({
  rateHz: RATE,
  featureVector,
  diagnosis: kind === undefined ? null : { kind },
});

function learnAll(baseline: Baseline, vectors: FeatureVector[]): Baseline {
  return vectors.reduce((b, v) => learnBaseline(b, window(v)), baseline);
}

describe('learning (Welford)', () => {
  it('matches the two-pass mean and sample variance', () => {
    const values = [1.5, -0.25, 3, 2.75, 0.5, 1, -1.25, 2];
    const b = learnAll(
      createBaseline({ rateHz: RATE, windows: values.length }),
      values.map((v) => ({ ln_kurtosis: v })),
    );
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
    const stats = b.features.ln_kurtosis;
    expect(stats?.n).toBe(values.length);
    expect(stats?.mean).toBeCloseTo(mean, 12);
    expect((stats?.m2 ?? 0) / (values.length - 1)).toBeCloseTo(variance, 12);
  });

  it('stops after `windows` windows and skips sensor-fault windows', () => {
    let b = createBaseline({ rateHz: RATE, windows: 3 });
    expect(baselineStatus(b, RATE)).toBe('learning');
    b = learnBaseline(b, window({ ln_acceleration_rms: -9 }, 'sensor_fault'));
    expect(b.learned).toBe(0);
    b = learnAll(b, [
      { ln_acceleration_rms: 1 },
      { ln_acceleration_rms: 2 },
      { ln_acceleration_rms: 3 },
    ]);
    expect(baselineStatus(b, RATE)).toBe('ready');
    expect(learnBaseline(b, window({ ln_acceleration_rms: 100 }))).toBe(b);
  });

  it('refuses a window at another rate, and reports the mismatch', () => {
    const b = createBaseline({ rateHz: RATE });
    expect(() => learnBaseline(b, { ...window({}), rateHz: 2000 })).toThrowError(
      BaselineRateMismatchError,
    );
    expect(baselineStatus(b, 2000)).toBe('rate-mismatch');
    expect(baselineStatus(undefined, 2000)).toBe('none');
  });
});

describe('anomalyScore', () => {
  const healthy: FeatureVector[] = Array.from({ length: 20 }, (_, i) => ({
    ln_acceleration_rms: -2 + 0.2 * Math.sin(i),
    ln_kurtosis: Math.log(3) + 0.2 * Math.cos(i),
  }));
  const ready = learnAll(createBaseline({ rateHz: RATE, windows: 20 }), healthy);

  it('is null while learning', () => {
    expect(anomalyScore(createBaseline({ rateHz: RATE }), window(healthy[0] ?? {}))).toBeNull();
  });

  it('scores the windows it learned from about 1 (z-scores of its own distribution)', () => {
    const scores = healthy.map((v) => anomalyScore(ready, window(v)) ?? Infinity);
    const meanSquare = scores.reduce((s, x) => s + x * x, 0) / scores.length;
    // Over the learning windows themselves, the mean of z² is (n − 1)/n by construction.
    expect(meanSquare).toBeCloseTo(19 / 20, 10);
  });

  it('uses the floor for a perfectly steady baseline: a 25 % change on every feature scores 3', () => {
    const steady = learnAll(
      createBaseline({ rateHz: RATE, windows: 5 }),
      Array.from({ length: 5 }, () => ({ ln_acceleration_rms: -2, ln_crest_factor: 1.2 })),
    );
    expect(anomalyScore(steady, window({ ln_acceleration_rms: -2, ln_crest_factor: 1.2 }))).toBe(0);
    const moved = {
      ln_acceleration_rms: -2 + Math.log(1.25),
      ln_crest_factor: 1.2 + Math.log(1.25),
    };
    expect(anomalyScore(steady, window(moved))).toBeCloseTo(ANOMALY_ALERT_SCORE, 10);
    expect(STD_FLOOR).toBeCloseTo(Math.log(1.25) / 3, 12);
  });

  it('ignores features the baseline never learned', () => {
    const score = anomalyScore(ready, window({ ...healthy[3], ln_band_5: 1e6 }));
    expect(score).toBe(anomalyScore(ready, window(healthy[3] ?? {})));
  });
});

describe('storage as JSON', () => {
  const learned = learnAll(createBaseline({ rateHz: RATE, windows: 4 }), [
    { ln_acceleration_rms: -2.1, ln_kurtosis: 1.1 },
    { ln_acceleration_rms: -1.9, ln_kurtosis: 1.0 },
    { ln_acceleration_rms: -2.0, ln_kurtosis: 1.2 },
    { ln_acceleration_rms: -2.05, ln_kurtosis: 1.05 },
  ]);

  it('round-trips through JSON text and through a parsed jsonb object, scoring the same', () => {
    const probe = window({ ln_acceleration_rms: -1, ln_kurtosis: 2 });
    for (const stored of [
      JSON.stringify(learned),
      JSON.parse(JSON.stringify(learned)) as unknown,
    ]) {
      const restored = parseBaseline(stored);
      expect(restored).toEqual(learned);
      expect(anomalyScore(restored, probe)).toBe(anomalyScore(learned, probe));
    }
  });

  it('resets to an empty baseline with the same rate and length', () => {
    expect(resetBaseline(learned)).toEqual(createBaseline({ rateHz: RATE, windows: 4 }));
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', 42],
    ['another version', { ...learned, version: 2 }],
    ['a non-positive rate', { ...learned, rateHz: 0 }],
    ['learned beyond windows', { ...learned, learned: 5 }],
    ['a feature without m2', { ...learned, features: { ln_kurtosis: { n: 1, mean: 0 } } }],
    ['a negative m2', { ...learned, features: { ln_kurtosis: { n: 2, mean: 0, m2: -1 } } }],
    ['a null feature', { ...learned, features: { ln_kurtosis: null } }],
  ])('refuses %s', (_problem, stored) => {
    expect(() => parseBaseline(stored)).toThrowError(InvalidBaselineError);
  });

  it('refuses to learn from fewer than two windows (a spread needs two)', () => {
    expect(() => createBaseline({ rateHz: RATE, windows: 1 })).toThrowError(InvalidBaselineError);
  });
});
