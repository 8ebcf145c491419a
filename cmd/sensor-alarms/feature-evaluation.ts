// One window's features against every feature rule of the sensor's target, in one
// transaction under the sensor's evaluation lock: a window at or before the last one taken in
// is a redelivery (or late) and changes nothing; otherwise each rule steps, the alarm rows
// follow, the states are stored, and the window is announced to the live view.
import type pg from 'pg';
import {
  FEATURE_RULES,
  NORMAL,
  liveFeature,
  readFeatures,
  ruleBook,
  stepRule,
} from '../../internal/alarms/index.js';
import type { FeatureEvent } from '../../internal/routing/index.js';
import { applyStep, notifyLive, type AlarmChange, type SensorContext } from './alarm-rows.js';
import { withEvaluation, type RuleStates } from './evaluation-lock.js';

export interface FeatureSensor extends SensorContext {
  readonly targetId: string | null;
}

export type EvaluationResult =
  { kind: 'duplicate' } | { kind: 'evaluated'; changes: AlarmChange[] };

export function evaluateFeatures(
  pool: pg.Pool,
  sensor: FeatureSensor,
  event: FeatureEvent,
): Promise<EvaluationResult> {
  return withEvaluation<EvaluationResult>(pool, sensor.id, async (client, evaluation) => {
    if (evaluation.windowStartUs !== null && event.windowStartUs <= evaluation.windowStartUs) {
      return { result: { kind: 'duplicate' } };
    }
    const book = await ruleBook(client, sensor.targetId);
    const states: RuleStates = { ...evaluation.states };
    const changes: AlarmChange[] = [];
    for (const rule of FEATURE_RULES) {
      const settings = book[rule];
      const reading = readFeatures(rule, event, settings);
      // No reading (no velocity, no ISO class): the rule learns nothing from this window,
      // unless it was switched off, which clears what it raised.
      if (reading === null && settings.enabled) continue;
      const { state, step } = stepRule(states[rule] ?? NORMAL, {
        verdict: reading?.verdict ?? { breach: false, clearable: true },
        startMs: event.windowStartUs / 1000,
        endMs: event.windowEndUs / 1000,
        enabled: settings.enabled,
        raiseAfterMs: settings.raiseAfterMs,
        clearAfterMs: settings.clearAfterMs,
      });
      states[rule] = state;
      const change = await applyStep(client, sensor, rule, settings, step, reading);
      if (change) changes.push(change);
    }
    await notifyLive(client, {
      type: 'feature',
      organizationId: sensor.organizationId,
      serial: sensor.serial,
      feature: liveFeature(event),
    });
    return {
      store: { windowStartUs: event.windowStartUs, states },
      result: { kind: 'evaluated', changes },
    };
  });
}
