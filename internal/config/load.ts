// Environment → one frozen, typed, fully defaulted object. Every problem is collected, so one
// start-up names everything wrong at once, each with the variable at fault.
import { ConfigError } from './errors.js';
import { KNOWN_VARIABLES, type VariableName } from './variables.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads one variable; returns the parsed value or throws an Error whose message is the problem. */
export interface Field<T> {
  readonly variable: VariableName;
  read(raw: string | undefined): T;
}

type Parsed<S> = { readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export function loadConfig<S extends Record<string, Field<unknown>>>(env: Env, spec: S): Parsed<S> {
  const problems: string[] = unknownVariables(env);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(spec)) {
    const raw = env[field.variable];
    try {
      out[key] = field.read(raw === '' ? undefined : raw);
    } catch (error) {
      problems.push(`${field.variable}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Parsed<S>;
}

function unknownVariables(env: Env): string[] {
  const known = new Set<string>(KNOWN_VARIABLES);
  return Object.keys(env)
    .filter((name) => name.startsWith('IOT_') && !known.has(name))
    .map((name) => {
      const guess = closest(name, KNOWN_VARIABLES);
      return `${name}: unknown variable${guess ? ` (did you mean ${guess}?)` : ''}`;
    });
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4; // more edits than this is not a typo
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
