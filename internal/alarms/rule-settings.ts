// Checks what an operator asks of a rule before it is stored: a threshold only where the rule
// takes one, within what its unit can mean, durations within a day. Each error names the
// field, so the API's 400 and iotctl's message say what to fix.
import { InvalidRuleSettingError } from './errors.js';
import { RULE_INFO, type RuleInfo, type RuleName, type RuleOverride } from './rules.js';

/** Raise and clear delays: up to a day (a condition that must hold longer is a trend, not an alarm). */
export const MAX_RULE_DELAY_MS = 86_400_000;

/**
 * Threshold bounds per unit. Velocity: ISO's highest boundary is 18 mm/s (class IV C/D), ten
 * times that is beyond any machine still turning. Score: the baseline's scores are standard
 * deviations; 1000 is far past any fault. Offline: 1 s (tests) to 7 days (raw data's life).
 */
const THRESHOLD_BOUNDS: Readonly<Record<NonNullable<RuleInfo['unit']>, [number, number]>> = {
  'mm/s': [0.01, 180],
  score: [0.1, 1000],
  s: [1, 604_800],
};

export function validateRuleOverride(rule: RuleName, override: RuleOverride): void {
  const { unit } = RULE_INFO[rule];
  const threshold = override.threshold;
  if (threshold !== undefined && threshold !== null) {
    if (unit === null) {
      throw new InvalidRuleSettingError(
        `threshold: ${rule} takes none (it raises on the diagnosis itself)`,
      );
    }
    const [min, max] = THRESHOLD_BOUNDS[unit];
    if (!Number.isFinite(threshold) || threshold < min || threshold > max) {
      throw new InvalidRuleSettingError(`threshold: must be ${min}..${max} ${unit} for ${rule}`);
    }
  }
  for (const key of ['raiseAfterMs', 'clearAfterMs'] as const) {
    const ms = override[key];
    if (ms === undefined || ms === null) continue;
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_RULE_DELAY_MS) {
      throw new InvalidRuleSettingError(`${key}: must be 0..${MAX_RULE_DELAY_MS} ms`);
    }
  }
}
