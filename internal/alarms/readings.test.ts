// What a window says for each rule: ISO boundaries by class (ISO 10816-3 Table A.2 for
// group2-rigid: B/C 2.8, C/D 4.5 mm/s), the hysteresis below them, diagnoses, and no reading
// where the window cannot tell.
import { describe, expect, it } from 'vitest';
import type { FeatureEvent } from '../routing/index.js';
import { readFeatures, type FeatureRuleName } from './readings.js';
import { resolveRule } from './rules.js';
import { validateRuleOverride } from './rule-settings.js';

const base: FeatureEvent = {
  schemaVersion: 1,
  serial: 'AAD-1123',
  windowStartUs: 0,
  windowEndUs: 1_000_000,
  sampleRateHz: 6400,
  accelerationRmsG: 0.2,
  accelerationPeakG: 0.6,
  crestFactor: 3,
  kurtosis: 3,
  velocityRmsMmS: 1,
  isoClass: 'group2-rigid',
  isoZone: 'A',
  dominantHz: 24.7,
  diagnosis: null,
  diagnosisEvidence: null,
  anomalyScore: 1,
  baselineStatus: 'ready',
  publishedAtMs: 0,
  analysedAtMs: 0,
  bpfoStrength: null,
  bpfiStrength: null,
  bsfStrength: null,
  ftfStrength: null,
};

const verdict = (rule: FeatureRuleName, over: Partial<FeatureEvent>, threshold?: number) =>
  readFeatures(rule, { ...base, ...over }, resolveRule(rule, { threshold }))?.verdict ?? null;

describe('readFeatures', () => {
  it.each([
    ['zone C at the B/C boundary', 'iso-zone-c', { velocityRmsMmS: 2.8 }, undefined, true, false],
    [
      'zone C just below it: in the band',
      'iso-zone-c',
      { velocityRmsMmS: 2.5 },
      undefined,
      false,
      false,
    ],
    [
      'zone C below 2.8 / 1.25 = 2.24: clears',
      'iso-zone-c',
      { velocityRmsMmS: 2.2 },
      undefined,
      false,
      true,
    ],
    ['zone D at the C/D boundary', 'iso-zone-d', { velocityRmsMmS: 4.5 }, undefined, true, false],
    [
      'zone D by another class (IV: 18 mm/s)',
      'iso-zone-d',
      { velocityRmsMmS: 10, isoClass: 'IV' },
      undefined,
      false,
      true,
    ],
    [
      'zone D at a threshold set on the target',
      'iso-zone-d',
      { velocityRmsMmS: 3 },
      3,
      true,
      false,
    ],
    ['anomaly at 3', 'anomaly', { anomalyScore: 3 }, undefined, true, false],
    ['anomaly at 2.5: in the band', 'anomaly', { anomalyScore: 2.5 }, undefined, false, false],
    ['an outer race', 'bearing-fault', { diagnosis: 'bearing_outer_race' }, undefined, true, false],
    ['a ball defect', 'bearing-fault', { diagnosis: 'bearing_ball' }, undefined, true, false],
    [
      'imbalance is no bearing fault',
      'bearing-fault',
      { diagnosis: 'imbalance' },
      undefined,
      false,
      true,
    ],
    ['a broken sensor', 'sensor-fault', { diagnosis: 'sensor_fault' }, undefined, true, false],
  ] as const)('%s', (_name, rule, over, threshold, breach, clearable) => {
    expect(verdict(rule, over, threshold)).toEqual({ breach, clearable });
  });

  it.each([
    ['no velocity', 'iso-zone-c', { velocityRmsMmS: null }],
    ['no ISO class and no threshold', 'iso-zone-d', { isoClass: null }],
    ['no score yet (baseline learning)', 'anomaly', { anomalyScore: null }],
  ] as const)('no reading with %s', (_name, rule, over) => {
    expect(verdict(rule, over)).toBeNull();
  });
});

describe('validateRuleOverride', () => {
  it.each([
    ['bearing-fault', { threshold: 2 }, /^threshold: bearing-fault takes none/],
    ['iso-zone-c', { threshold: 0 }, /^threshold: must be 0\.01\.\.180 mm\/s/],
    ['anomaly', { threshold: Number.NaN }, /^threshold: must be/],
    ['offline', { threshold: 0.5 }, /^threshold: must be 1\.\.604800 s/],
    ['anomaly', { raiseAfterMs: -1 }, /^raiseAfterMs: must be 0\.\.86400000 ms/],
    ['anomaly', { clearAfterMs: 1.5 }, /^clearAfterMs: must be/],
  ] as const)('%s %j is refused', (rule, override, message) => {
    expect(() => validateRuleOverride(rule, override)).toThrow(message);
  });

  it.each([
    ['bearing-fault', { threshold: null, raiseAfterMs: 0 }],
    ['offline', { threshold: 5 }],
    ['iso-zone-d', { threshold: 7.1, clearAfterMs: 86_400_000 }],
  ] as const)('%s %j is taken', (rule, override) => {
    expect(() => validateRuleOverride(rule, override)).not.toThrow();
  });
});
