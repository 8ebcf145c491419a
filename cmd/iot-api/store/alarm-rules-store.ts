// A target's alarm rules as in force (internal/alarms' defaults under the target's
// alarm_rule row), and changing one: a field given sets it, null returns it to the default.
import type { Static } from 'typebox';
import {
  RULE_INFO,
  RULE_NAMES,
  resolveRule,
  ruleOverrides,
  type RuleName,
  type RuleOverride,
} from '../../../internal/alarms/index.js';
import type { AlarmRule } from '../../../internal/api-contract/index.js';
import type { Queryable } from './queryable.js';

export type AlarmRuleView = Static<typeof AlarmRule>;

/** The target's id in the organization, or undefined. */
export async function targetIdByName(
  db: Queryable,
  organizationId: string,
  name: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM target WHERE organization_id = $1 AND name = $2',
    [organizationId, name],
  );
  return rows[0]?.id;
}

function view(rule: RuleName, override: RuleOverride | undefined): AlarmRuleView {
  const settings = resolveRule(rule, override);
  const overridden = Object.entries(override ?? {})
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key]) => API_FIELD[key as keyof RuleOverride]);
  return {
    rule,
    description: RULE_INFO[rule].description,
    enabled: settings.enabled,
    threshold: settings.threshold,
    unit: RULE_INFO[rule].unit,
    raiseAfterSeconds: settings.raiseAfterMs / 1000,
    clearAfterSeconds: settings.clearAfterMs / 1000,
    severity: settings.severity,
    action: settings.action,
    overridden,
  };
}

const API_FIELD: Record<keyof RuleOverride, string> = {
  enabled: 'enabled',
  threshold: 'threshold',
  raiseAfterMs: 'raiseAfterSeconds',
  clearAfterMs: 'clearAfterSeconds',
  severity: 'severity',
  action: 'action',
};

export async function listRules(db: Queryable, targetId: string): Promise<AlarmRuleView[]> {
  const overrides = await ruleOverrides(db, targetId);
  return RULE_NAMES.map((rule) => view(rule, overrides[rule]));
}

/**
 * Applies a change to one rule of a target: given fields set (null: back to the default),
 * absent ones stay. The caller has validated it (validateRuleOverride).
 */
export async function updateRule(
  db: Queryable,
  targetId: string,
  rule: RuleName,
  change: RuleOverride,
): Promise<AlarmRuleView> {
  const columns = {
    enabled: change.enabled,
    threshold: change.threshold,
    raise_after_ms: change.raiseAfterMs,
    clear_after_ms: change.clearAfterMs,
    severity: change.severity,
    action: change.action,
  };
  const given = Object.entries(columns).filter(([, value]) => value !== undefined);
  const names = given.map(([name]) => name);
  const values = given.map(([, value]) => value);
  await db.query(
    `INSERT INTO alarm_rule (target_id, rule${names.map((n) => `, ${n}`).join('')})
     VALUES ($1, $2${names.map((_, i) => `, $${i + 3}`).join('')})
     ON CONFLICT (target_id, rule) DO UPDATE
       SET updated_at = now()${names.map((n) => `, ${n} = EXCLUDED.${n}`).join('')}`,
    [targetId, rule, ...values],
  );
  const overrides = await ruleOverrides(db, targetId);
  return view(rule, overrides[rule]);
}
