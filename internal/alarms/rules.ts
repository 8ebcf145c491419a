// The alarm rules: what each one watches, in what unit its threshold is, and the defaults that
// work without any setting (docs/DESIGN.md; issue "Alarms, fleet health and machine actions").
// A target may override any part of any rule (alarm_rule); what it leaves out is the default.
import { ANOMALY_ALERT_SCORE } from '../vibration/index.js';

export const RULE_NAMES = [
  'iso-zone-c',
  'iso-zone-d',
  'bearing-fault',
  'anomaly',
  'sensor-fault',
  'offline',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** Most to least urgent (ThingsBoard's and X.733's ladder without "indeterminate"). */
export const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a rule may ask of the machine's controller when it raises. */
export const ACTIONS = ['notify', 'reduce-speed', 'stop'] as const;
export type Action = (typeof ACTIONS)[number];

export interface RuleSettings {
  readonly enabled: boolean;
  /** In the rule's unit (RULE_INFO); null: the rule's own (the ISO class's boundary). */
  readonly threshold: number | null;
  /** How long the condition must hold before the alarm is raised. */
  readonly raiseAfterMs: number;
  /** How long the clear condition must hold before the alarm clears. */
  readonly clearAfterMs: number;
  readonly severity: Severity;
  readonly action: Action | null;
}

export interface RuleInfo {
  readonly description: string;
  /** The threshold's unit; null: the rule takes no threshold (a diagnosis is there or not). */
  readonly unit: 'mm/s' | 'score' | 's' | null;
}

export const RULE_INFO: Readonly<Record<RuleName, RuleInfo>> = {
  'iso-zone-c': {
    description: 'velocity RMS in ISO zone C (threshold: the class’s B/C boundary unless set)',
    unit: 'mm/s',
  },
  'iso-zone-d': {
    description: 'velocity RMS in ISO zone D (threshold: the class’s C/D boundary unless set)',
    unit: 'mm/s',
  },
  'bearing-fault': {
    description: 'a bearing defect diagnosed (outer, inner race, ball)',
    unit: null,
  },
  anomaly: { description: 'anomaly score against the learned baseline', unit: 'score' },
  'sensor-fault': {
    description: 'the sensor’s own signal is broken (flat, clipped, dropouts)',
    unit: null,
  },
  offline: { description: 'nothing heard from an awake sensor for this long', unit: 's' },
};

/**
 * Clear conditions lie below the raise threshold by ISO 20816-3's "significant change" of
 * vibration magnitude, 25 %: a reading back below threshold / 1.25 has really come down, one
 * hovering at the threshold (a few % of window-to-window scatter) does not clear and re-raise.
 */
export const HYSTERESIS_RATIO = 1.25;

/** Ten minutes of silence: the fleet-health definition of offline (issue 11, sensors-360). */
export const DEFAULT_OFFLINE_AFTER_S = 600;

const SECOND = 1_000;

/**
 * The defaults. Durations are wall time in the sensor's windows (one a second by default):
 * - zone C is "unsatisfactory for long-term operation" (ISO 20816-3): nothing urgent, so a
 *   minute of it, which a start-up transient never lasts, raises; zone D "causes damage": 10 s.
 * - a bearing diagnosis in three consecutive windows, not one (a knock, a passing truck), and
 *   ten clean windows before it clears: a spalled race's impacts come and go with load.
 * - an anomaly score must persist for 30 s: the baseline scores single windows, and a machine
 *   changing its operating point settles within that.
 * - a broken sensor signal for 10 s.
 * - offline raises and clears on the sweep that sees it: the threshold already is a duration.
 */
export const DEFAULT_RULES: Readonly<Record<RuleName, RuleSettings>> = {
  'iso-zone-c': {
    enabled: true,
    threshold: null,
    raiseAfterMs: 60 * SECOND,
    clearAfterMs: 60 * SECOND,
    severity: 'major',
    action: null,
  },
  'iso-zone-d': {
    enabled: true,
    threshold: null,
    raiseAfterMs: 10 * SECOND,
    clearAfterMs: 60 * SECOND,
    severity: 'critical',
    action: null,
  },
  'bearing-fault': {
    enabled: true,
    threshold: null,
    raiseAfterMs: 3 * SECOND,
    clearAfterMs: 10 * SECOND,
    severity: 'major',
    action: null,
  },
  anomaly: {
    enabled: true,
    threshold: ANOMALY_ALERT_SCORE,
    raiseAfterMs: 30 * SECOND,
    clearAfterMs: 30 * SECOND,
    severity: 'warning',
    action: null,
  },
  'sensor-fault': {
    enabled: true,
    threshold: null,
    raiseAfterMs: 10 * SECOND,
    clearAfterMs: 10 * SECOND,
    severity: 'minor',
    action: null,
  },
  offline: {
    enabled: true,
    threshold: DEFAULT_OFFLINE_AFTER_S,
    raiseAfterMs: 0,
    clearAfterMs: 0,
    severity: 'major',
    action: null,
  },
};

export function isRuleName(value: unknown): value is RuleName {
  return typeof value === 'string' && (RULE_NAMES as readonly string[]).includes(value);
}

/** A target's stored settings of one rule (NULL columns: the default's). */
export interface RuleOverride {
  readonly enabled?: boolean | null;
  readonly threshold?: number | null;
  readonly raiseAfterMs?: number | null;
  readonly clearAfterMs?: number | null;
  readonly severity?: Severity | null;
  /** 'none' turns a default action off. */
  readonly action?: Action | 'none' | null;
}

/** The settings in force: the override's parts over the default. */
export function resolveRule(rule: RuleName, override: RuleOverride = {}): RuleSettings {
  const base = DEFAULT_RULES[rule];
  const action = override.action ?? base.action;
  return {
    enabled: override.enabled ?? base.enabled,
    threshold: override.threshold ?? base.threshold,
    raiseAfterMs: override.raiseAfterMs ?? base.raiseAfterMs,
    clearAfterMs: override.clearAfterMs ?? base.clearAfterMs,
    severity: override.severity ?? base.severity,
    action: action === 'none' ? null : action,
  };
}
