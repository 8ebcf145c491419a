// A target's alarm rules: read them as in force, change one (enable, threshold, durations,
// severity, action). Checked against what each rule can take (internal/alarms) with errors
// naming the field; sensor-alarms reads the new settings with the next window.
import {
  AlarmRule,
  AlarmRuleList,
  AlarmRulePatchBody,
  NameParams,
  RuleParams,
  errorReplies,
  type AlarmRulePatchBodyType,
} from '../../../internal/api-contract/index.js';
import {
  RULE_NAMES,
  isRuleName,
  validateRuleOverride,
  type RuleOverride,
} from '../../../internal/alarms/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { invalid, notFound } from '../errors.js';
import { listRules, targetIdByName, updateRule } from '../store/alarm-rules-store.js';
import { principalOf } from './principal.js';

const seconds = (s: number | null | undefined) =>
  s === undefined || s === null ? s : Math.round(s * 1000);

function overrideOf(body: AlarmRulePatchBodyType): RuleOverride {
  return {
    enabled: body.enabled,
    threshold: body.threshold,
    raiseAfterMs: seconds(body.raiseAfterSeconds),
    clearAfterMs: seconds(body.clearAfterSeconds),
    severity: body.severity,
    action: body.action,
  };
}

export function registerAlarmRuleRoutes(api: RouteApp, { pool }: AppDeps): void {
  api.get(
    '/targets/:name/rules',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "A target's alarm rules as in force (defaults where it sets nothing)",
        params: NameParams,
        response: { 200: AlarmRuleList, ...errorReplies },
      },
    },
    async (request) => {
      const id = await targetIdByName(
        pool,
        principalOf(request).organizationId,
        request.params.name,
      );
      if (!id) throw notFound(`target ${request.params.name}`);
      return { items: await listRules(pool, id) };
    },
  );

  api.patch(
    '/targets/:name/rules/:rule',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Change one alarm rule of a target; null returns a field to its default',
        params: RuleParams,
        body: AlarmRulePatchBody,
        response: { 200: AlarmRule, ...errorReplies },
      },
    },
    async (request) => {
      const { rule, name } = request.params;
      if (!isRuleName(rule)) {
        throw invalid(`params.rule: must be one of ${RULE_NAMES.join(', ')}`);
      }
      const change = overrideOf(request.body);
      try {
        validateRuleOverride(rule, change);
      } catch (error) {
        throw invalid(`body.${(error as Error).message}`);
      }
      const { organizationId, username } = principalOf(request);
      const id = await targetIdByName(pool, organizationId, name);
      if (!id) throw notFound(`target ${name}`);
      const updated = await updateRule(pool, id, rule, change);
      request.log.info({ target: name, rule, by: username, change: request.body }, 'rule changed');
      return updated;
    },
  );
}
