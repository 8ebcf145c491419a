// A target's rules as stored (alarm_rule) and as in force: the defaults under the target's
// overrides. sensor-alarms evaluates with it; iot-api shows and changes it.
import type pg from 'pg';
import {
  RULE_NAMES,
  isRuleName,
  resolveRule,
  type Action,
  type RuleName,
  type RuleOverride,
  type RuleSettings,
  type Severity,
} from './rules.js';

interface RuleRow {
  rule: string;
  enabled: boolean | null;
  threshold: number | null;
  raise_after_ms: number | null;
  clear_after_ms: number | null;
  severity: Severity | null;
  action: Action | 'none' | null;
}

export type RuleBook = Readonly<Record<RuleName, RuleSettings>>;
export type RuleOverrides = Readonly<Partial<Record<RuleName, RuleOverride>>>;

type Db = Pick<pg.ClientBase, 'query'>;

/** What the target overrides, rule by rule (nothing for a sensor on no target). */
export async function ruleOverrides(db: Db, targetId: string | null): Promise<RuleOverrides> {
  if (targetId === null) return {};
  const { rows } = await db.query<RuleRow>(
    `SELECT rule, enabled, threshold, raise_after_ms, clear_after_ms, severity, action
       FROM alarm_rule WHERE target_id = $1`,
    [targetId],
  );
  const overrides: Partial<Record<RuleName, RuleOverride>> = {};
  for (const row of rows) {
    if (!isRuleName(row.rule)) continue;
    overrides[row.rule] = {
      enabled: row.enabled,
      threshold: row.threshold,
      raiseAfterMs: row.raise_after_ms,
      clearAfterMs: row.clear_after_ms,
      severity: row.severity,
      action: row.action,
    };
  }
  return overrides;
}

/** Every rule's settings in force for a target. */
export async function ruleBook(db: Db, targetId: string | null): Promise<RuleBook> {
  const overrides = await ruleOverrides(db, targetId);
  const book = {} as Record<RuleName, RuleSettings>;
  for (const rule of RULE_NAMES) book[rule] = resolveRule(rule, overrides[rule]);
  return book;
}
