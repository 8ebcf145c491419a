// The rule state machine, table-driven: readings one second apart (one window each, as
// sensor-analytics sends them by default) against a threshold, and what the alarm does.
import { describe, expect, it } from 'vitest';
import { NORMAL, parseRulePhase, stepRule, type RulePhase, type RuleStep } from './rule-state.js';
import { HYSTERESIS_RATIO } from './rules.js';

const THRESHOLD = 4.5;
const CLEAR_BELOW = THRESHOLD / HYSTERESIS_RATIO;

/** Runs 1 s windows of `values` through the machine; the steps that were not `none`, by index. */
function run(
  values: readonly number[],
  delays: { raiseAfterMs: number; clearAfterMs: number },
  enabled: readonly boolean[] = [],
): { steps: string[]; state: RulePhase } {
  let state: RulePhase = NORMAL;
  const steps: string[] = [];
  values.forEach((value, i) => {
    const result = stepRule(state, {
      verdict: { breach: value >= THRESHOLD, clearable: value < CLEAR_BELOW },
      startMs: i * 1000,
      endMs: (i + 1) * 1000,
      enabled: enabled[i] ?? true,
      ...delays,
    });
    state = result.state;
    if (result.step !== 'none') steps.push(`${i}:${result.step satisfies RuleStep}`);
  });
  return { steps, state };
}

/** A deterministic noise of ±amplitude around a level (a sine of an irrational step). */
const hovering = (level: number, amplitude: number, n: number) =>
  Array.from({ length: n }, (_, i) => level + amplitude * Math.sin(i * 2.399963));

describe('stepRule', () => {
  const cases: {
    name: string;
    values: number[];
    raiseAfterMs: number;
    clearAfterMs: number;
    enabled?: boolean[];
    steps: string[];
  }[] = [
    {
      name: 'below the threshold: nothing',
      values: [1, 2, 3, 4, 4.4],
      raiseAfterMs: 0,
      clearAfterMs: 0,
      steps: [],
    },
    {
      name: 'raises once the breach has lasted the minimum duration (3 windows)',
      values: [5, 5, 5, 5, 5],
      raiseAfterMs: 3000,
      clearAfterMs: 0,
      steps: ['2:raise', '3:update', '4:update'],
    },
    {
      name: 'a breach shorter than the minimum duration raises nothing',
      values: [5, 5, 1, 5, 5, 1, 5],
      raiseAfterMs: 3000,
      clearAfterMs: 0,
      steps: [],
    },
    {
      name: 'no minimum duration: raises on the first breaching window',
      values: [1, 6],
      raiseAfterMs: 0,
      clearAfterMs: 0,
      steps: ['1:raise'],
    },
    {
      name: 'in the hysteresis band it stays raised and does not clear',
      values: [5, 5, 4.0, 3.9, 3.7, 4.2, 3.8],
      raiseAfterMs: 2000,
      clearAfterMs: 0,
      steps: ['1:raise'],
    },
    {
      name: 'clears once below threshold / 1.25 for the clear delay',
      values: [5, 5, 3, 3, 3, 3],
      raiseAfterMs: 2000,
      clearAfterMs: 3000,
      steps: ['1:raise', '4:clear'],
    },
    {
      name: 'a breach inside the clear delay keeps the alarm (no clear, no second raise)',
      values: [5, 5, 3, 3, 5, 3, 3, 3],
      raiseAfterMs: 2000,
      clearAfterMs: 3000,
      steps: ['1:raise', '4:update', '7:clear'],
    },
    {
      name: 'raises again after a clear: a new episode',
      values: [5, 3, 5],
      raiseAfterMs: 0,
      clearAfterMs: 0,
      steps: ['0:raise', '1:clear', '2:raise'],
    },
    {
      name: 'switching the rule off clears the open alarm; on again, it starts over',
      values: [5, 5, 5, 5, 5],
      raiseAfterMs: 0,
      clearAfterMs: 60_000,
      enabled: [true, true, false, true, true],
      steps: ['0:raise', '1:update', '2:clear', '3:raise', '4:update'],
    },
  ];

  it.each(cases)('$name', ({ values, raiseAfterMs, clearAfterMs, enabled, steps }) => {
    expect(run(values, { raiseAfterMs, clearAfterMs }, enabled).steps).toEqual(steps);
  });

  it('noise around the threshold raises once and never flaps', () => {
    // ±10 % around the threshold for ten minutes: above it about half the time, never below
    // the clear level (threshold / 1.25 is 20 % down).
    const values = hovering(THRESHOLD, 0.1 * THRESHOLD, 600);
    const { steps } = run(values, { raiseAfterMs: 0, clearAfterMs: 10_000 });
    expect(steps.filter((s) => s.endsWith('raise'))).toHaveLength(1);
    expect(steps.filter((s) => s.endsWith('clear'))).toEqual([]);
  });

  it('noise around the threshold with a minimum duration raises only on a sustained run', () => {
    // The same noise with a 10 s minimum: the breaches come and go within a few windows.
    const values = hovering(THRESHOLD, 0.1 * THRESHOLD, 600);
    const longestRun = values.reduce(
      (acc, v) => {
        const current = v >= THRESHOLD ? acc.current + 1 : 0;
        return { current, max: Math.max(acc.max, current) };
      },
      { current: 0, max: 0 },
    ).max;
    expect(longestRun).toBeLessThan(10);
    expect(run(values, { raiseAfterMs: 10_000, clearAfterMs: 0 }).steps).toEqual([]);
  });
});

describe('parseRulePhase', () => {
  it.each([
    [{ phase: 'raised' }, { phase: 'raised' }],
    [
      { phase: 'pending', sinceMs: 5 },
      { phase: 'pending', sinceMs: 5 },
    ],
    [
      { phase: 'clearing', sinceMs: 7 },
      { phase: 'clearing', sinceMs: 7 },
    ],
    [{ phase: 'pending' }, NORMAL],
    [null, NORMAL],
    ['raised', NORMAL],
  ])('%j → %j', (stored, phase) => expect(parseRulePhase(stored)).toEqual(phase));
});
