// What one window's features say for each rule that reads features (all but `offline`, which
// the fleet sweep judges from silence): the value, whether it breaches or may clear, and a
// line for people. No reading (null) when the window cannot tell, e.g. no velocity without a
// known rate band, or no ISO class on the target: the rule's state stays as it is.
import type { FeatureEvent } from '../routing/index.js';
import { ISO_ZONE_BOUNDARIES, isIsoClass } from '../vibration/index.js';
import type { Verdict } from './rule-state.js';
import { HYSTERESIS_RATIO, type RuleName, type RuleSettings } from './rules.js';

export interface Reading {
  readonly verdict: Verdict;
  /** In the rule's unit; 1 or 0 for a diagnosis. */
  readonly value: number;
  readonly message: string;
  readonly diagnosis: string | null;
}

export type FeatureRuleName = Exclude<RuleName, 'offline'>;
export const FEATURE_RULES: readonly FeatureRuleName[] = [
  'iso-zone-c',
  'iso-zone-d',
  'bearing-fault',
  'anomaly',
  'sensor-fault',
];

const BEARING_DIAGNOSES = new Set(['bearing_outer_race', 'bearing_inner_race', 'bearing_ball']);

export function readFeatures(
  rule: FeatureRuleName,
  event: FeatureEvent,
  settings: RuleSettings,
): Reading | null {
  switch (rule) {
    case 'iso-zone-c':
    case 'iso-zone-d':
      return isoReading(rule, event, settings.threshold);
    case 'anomaly':
      return levelReading(
        event.anomalyScore,
        settings.threshold,
        (v, t) => `anomaly score ${v.toFixed(1)} against the learned baseline (threshold ${t})`,
      );
    case 'bearing-fault':
      return diagnosisReading(event, (d) => BEARING_DIAGNOSES.has(d));
    case 'sensor-fault':
      return diagnosisReading(event, (d) => d === 'sensor_fault');
  }
}

function isoReading(
  rule: 'iso-zone-c' | 'iso-zone-d',
  event: FeatureEvent,
  configured: number | null,
): Reading | null {
  const { isoClass } = event;
  const boundary = isIsoClass(isoClass)
    ? rule === 'iso-zone-c'
      ? ISO_ZONE_BOUNDARIES[isoClass].bcMmS
      : ISO_ZONE_BOUNDARIES[isoClass].cdMmS
    : null;
  const threshold = configured ?? boundary;
  const zone = rule === 'iso-zone-c' ? 'C' : 'D';
  return levelReading(
    event.velocityRmsMmS,
    threshold,
    (v, t) =>
      `velocity ${v.toFixed(2)} mm/s ≥ ${t} mm/s (ISO zone ${zone}` +
      (configured === null && isoClass ? `, ${isoClass})` : ', set on the target)'),
  );
}

/** A level against a threshold: breach at or above it, clearable below it by the hysteresis. */
function levelReading(
  value: number | null,
  threshold: number | null,
  describe: (value: number, threshold: number) => string,
): Reading | null {
  if (value === null || threshold === null) return null;
  return {
    verdict: { breach: value >= threshold, clearable: value < threshold / HYSTERESIS_RATIO },
    value,
    message: describe(value, threshold),
    diagnosis: null,
  };
}

/** A diagnosis is there or not; its absence is the clear condition (the delay is the hysteresis). */
function diagnosisReading(event: FeatureEvent, matches: (d: string) => boolean): Reading {
  const found = event.diagnosis !== null && matches(event.diagnosis);
  return {
    verdict: { breach: found, clearable: !found },
    value: found ? 1 : 0,
    message: found
      ? `${event.diagnosis ?? ''}: ${event.diagnosisEvidence ?? 'no evidence given'}`
      : 'no diagnosis',
    diagnosis: found ? event.diagnosis : null,
  };
}
