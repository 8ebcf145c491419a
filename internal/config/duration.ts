// The one duration syntax of the platform: config variables, iotctl flags and the simulator's
// flags all read durations here; each caller keeps its own bounds and its own error message.

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Readonly<Record<DurationUnit, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export const DURATION_UNITS: readonly DurationUnit[] = ['ms', 's', 'm', 'h', 'd'];

export interface DurationSyntax {
  /**
   * A bare number is milliseconds. Only the config variables take it (they always did); the
   * CLIs require a unit so `10` is never ambiguous.
   */
  bareNumberIsMs?: boolean;
  /** The units accepted; all by default. iotctl takes Go's (no `d`), as kubectl does. */
  units?: readonly DurationUnit[];
}

/**
 * `250ms`, `1.5s`, `2m`, `1h`, `7d`, and sums of them as Go writes them (`1h30m`, `2m30s`);
 * with `bareNumberIsMs`, `1500` too. Returns milliseconds, or undefined when `raw` is not a
 * duration in that syntax (the caller says why in its own words).
 */
export function parseDuration(raw: string, syntax: DurationSyntax = {}): number | undefined {
  const text = raw.trim();
  if (syntax.bareNumberIsMs && /^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  const units = syntax.units ?? DURATION_UNITS;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let match: RegExpExecArray | null;
  while (part.lastIndex < text.length && (match = part.exec(text)) !== null) {
    const unit = match[2] as DurationUnit;
    if (!units.includes(unit)) return undefined;
    total += Number(match[1]) * UNIT_MS[unit];
  }
  if (text === '' || part.lastIndex !== text.length) return undefined;
  return total;
}
