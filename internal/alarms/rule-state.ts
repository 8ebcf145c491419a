// One rule's evaluation for one sensor, as a state machine over readings in time:
//
//   normal ──breach──► pending ──held raiseAfter──► raised ──clearable──► clearing
//      ▲                  │ no breach                 ▲  │                    │ held clearAfter
//      └──────────────────┘                           └──┴─ breach again ◄────┘──► normal (clear)
//
// A breach must last raiseAfter before the alarm is raised; once raised, only a reading past
// the clear condition (the threshold less the hysteresis) starts the clear delay, and any
// breach in that delay keeps the alarm. A value hovering at the threshold therefore neither
// raises before the delay nor, once raised, clears and raises again. Pure: the service stores
// the state (alarm_evaluation) and turns steps into alarm rows.

export type RulePhase =
  | { readonly phase: 'normal' }
  | { readonly phase: 'pending'; readonly sinceMs: number }
  | { readonly phase: 'raised' }
  | { readonly phase: 'clearing'; readonly sinceMs: number };

export const NORMAL: RulePhase = { phase: 'normal' };

/** What the reading says against the rule's thresholds. */
export interface Verdict {
  /** The raise condition holds. */
  readonly breach: boolean;
  /** The clear condition holds (below the threshold by the hysteresis, or no diagnosis). */
  readonly clearable: boolean;
}

/**
 * What the alarm row should do: `raise` (a new alarm), `update` (the condition seen again on
 * the open alarm), `clear`, or nothing.
 */
export type RuleStep = 'raise' | 'update' | 'clear' | 'none';

export interface StepInput {
  readonly verdict: Verdict;
  /** The reading's time span (a window's start and end; a sweep's instant twice). */
  readonly startMs: number;
  readonly endMs: number;
  readonly enabled: boolean;
  readonly raiseAfterMs: number;
  readonly clearAfterMs: number;
}

export function stepRule(state: RulePhase, input: StepInput): { state: RulePhase; step: RuleStep } {
  const open = state.phase === 'raised' || state.phase === 'clearing';
  // A rule switched off clears what it raised and forgets what was pending.
  if (!input.enabled) return { state: NORMAL, step: open ? 'clear' : 'none' };
  const { breach, clearable } = input.verdict;
  switch (state.phase) {
    case 'normal':
      if (!breach) return { state, step: 'none' };
      return raiseIfHeld({ phase: 'pending', sinceMs: input.startMs }, input);
    case 'pending':
      if (!breach) return { state: NORMAL, step: 'none' };
      return raiseIfHeld(state, input);
    case 'raised':
      if (breach) return { state, step: 'update' };
      if (!clearable) return { state, step: 'none' };
      return clearIfHeld({ phase: 'clearing', sinceMs: input.startMs }, input);
    case 'clearing':
      if (breach) return { state: { phase: 'raised' }, step: 'update' };
      if (!clearable) return { state: { phase: 'raised' }, step: 'none' };
      return clearIfHeld(state, input);
  }
}

function raiseIfHeld(pending: { phase: 'pending'; sinceMs: number }, input: StepInput) {
  return input.endMs - pending.sinceMs >= input.raiseAfterMs
    ? { state: { phase: 'raised' } as RulePhase, step: 'raise' as const }
    : { state: pending as RulePhase, step: 'none' as const };
}

function clearIfHeld(clearing: { phase: 'clearing'; sinceMs: number }, input: StepInput) {
  return input.endMs - clearing.sinceMs >= input.clearAfterMs
    ? { state: NORMAL, step: 'clear' as const }
    : { state: clearing as RulePhase, step: 'none' as const };
}

/** A stored state read back; anything unreadable is `normal` (the next readings rebuild it). */
export function parseRulePhase(value: unknown): RulePhase {
  if (typeof value !== 'object' || value === null) return NORMAL;
  const { phase, sinceMs } = value as { phase?: unknown; sinceMs?: unknown };
  if (phase === 'raised') return { phase };
  if ((phase === 'pending' || phase === 'clearing') && typeof sinceMs === 'number') {
    return { phase, sinceMs };
  }
  return NORMAL;
}
