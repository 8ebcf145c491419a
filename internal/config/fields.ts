// Field constructors for loadConfig. Without `default`, a field is required; `optional()`
// makes it undefined when unset.
import { parseDuration } from './duration.js';
import type { Field } from './load.js';
import type { VariableName } from './variables.js';

interface Options<T> {
  default?: T;
}

function field<T>(
  variable: VariableName,
  parse: (raw: string) => T,
  options: Options<T> = {},
): Field<T> {
  return {
    variable,
    read(raw) {
      if (raw === undefined) {
        if (options.default !== undefined) return options.default;
        throw new Error('is required but not set');
      }
      return parse(raw);
    },
  };
}

export function optional<T>(inner: Field<T>): Field<T | undefined> {
  return {
    variable: inner.variable,
    read: (raw) => (raw === undefined ? undefined : inner.read(raw)),
  };
}

export function string(variable: VariableName, options?: Options<string>): Field<string> {
  return field(variable, (raw) => raw, options);
}

function checkUrl(raw: string, protocols: readonly string[]): void {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`"${redactUrl(raw)}" is not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new Error(`scheme must be ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
}

/**
 * A URL whose scheme is one of `protocols` (e.g. ['amqp:', 'amqps:']). With `list`, one URL
 * or several, comma-separated (a broker cluster's nodes), kept as given: the clients split
 * it (internal/pubsub/broker-addresses.ts).
 */
export function url(
  variable: VariableName,
  protocols: readonly string[],
  options: Options<string> & { list?: boolean } = {},
): Field<string> {
  return field(
    variable,
    (raw) => {
      const urls = options.list ? raw.split(',').map((part) => part.trim()) : [raw];
      if (urls.some((part) => part === '')) throw new Error('has an empty entry in its list');
      for (const part of urls) checkUrl(part, protocols);
      return raw;
    },
    options,
  );
}

export function integer(
  variable: VariableName,
  bounds: { min: number; max: number },
  options?: Options<number>,
): Field<number> {
  return field(
    variable,
    (raw) => {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error(`"${raw}" is not an integer`);
      const n = Number(raw);
      if (n < bounds.min || n > bounds.max) {
        throw new Error(`${n} is outside ${bounds.min}..${bounds.max}`);
      }
      return n;
    },
    options,
  );
}

export function port(variable: VariableName, options?: Options<number>): Field<number> {
  return integer(variable, { min: 0, max: 65_535 }, options);
}

export function oneOf<const T extends string>(
  variable: VariableName,
  values: readonly T[],
  options?: Options<T>,
): Field<T> {
  return field(
    variable,
    (raw) => {
      if (!(values as readonly string[]).includes(raw)) {
        throw new Error(`"${raw}" is not one of ${values.join(', ')}`);
      }
      return raw as T;
    },
    options,
  );
}

/** A duration (`250ms`, `5s`, `2m`, `1h`, `7d`, `1h30m`) or a bare number of milliseconds; returns ms. */
export function duration(
  variable: VariableName,
  bounds: { minMs: number; maxMs: number },
  options?: Options<number>,
): Field<number> {
  return field(
    variable,
    (raw) => {
      const ms = parseDuration(raw, { bareNumberIsMs: true });
      if (ms === undefined) throw new Error(`"${raw}" is not a duration (e.g. 250ms, 5s, 2m)`);
      if (ms < bounds.minMs || ms > bounds.maxMs) {
        throw new Error(`${raw} is outside ${bounds.minMs}ms..${bounds.maxMs}ms`);
      }
      return ms;
    },
    options,
  );
}

/** `user:secret@` → `user:***@`, so a bad URL can be quoted in an error without leaking it. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
