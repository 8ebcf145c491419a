// Checks of command-line values, as commander argParsers: a bad value becomes commander's
// "error: … is invalid …" line, the usage line, and exit 2, before any request is made.
import { InvalidArgumentError } from 'commander';
import { parseDuration, type DurationUnit } from '../../internal/config/index.js';
import {
  MAX_SAMPLE_FREQUENCY_HZ,
  MIN_SAMPLE_FREQUENCY_HZ,
  SERIAL_PATTERN,
} from '../../internal/validation/index.js';
import { normalizeApiUrl } from './context.js';

export function parseSerial(raw: string): string {
  if (!SERIAL_PATTERN.test(raw)) {
    throw new InvalidArgumentError(
      'A serial number is 1-32 of A-Z a-z 0-9 -, with at least one letter.',
    );
  }
  return raw;
}

export function parseHz(raw: string): number {
  const hz = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(hz >= MIN_SAMPLE_FREQUENCY_HZ && hz <= MAX_SAMPLE_FREQUENCY_HZ)) {
    throw new InvalidArgumentError(
      `Must be a number of Hz, ${MIN_SAMPLE_FREQUENCY_HZ}-${MAX_SAMPLE_FREQUENCY_HZ}.`,
    );
  }
  return hz;
}

/** Go's units, as kubectl takes them: no `d`. */
const GO_UNITS: readonly DurationUnit[] = ['ms', 's', 'm', 'h'];

/** Go-style durations as kubectl takes them: `90s`, `5m`, `1h30m`, `500ms`. */
export function parseDurationMs(raw: string): number {
  const ms = parseDuration(raw, { units: GO_UNITS });
  if (ms === undefined) {
    throw new InvalidArgumentError('Must be a duration such as 30s, 5m or 1h30m.');
  }
  return ms;
}

export function durationWithin(minMs: number, maxMs: number, label: string) {
  return (raw: string): number => {
    const ms = parseDurationMs(raw);
    if (ms < minMs || ms > maxMs) throw new InvalidArgumentError(`Must be ${label}.`);
    return ms;
  };
}

/** `--expires-in`: the API takes whole seconds, 1 s to 24 h. */
export function parseExpiresIn(raw: string): number {
  const ms = parseDurationMs(raw);
  if (ms % 1000 !== 0 || ms < 1000 || ms > 86_400_000) {
    throw new InvalidArgumentError('Must be whole seconds between 1s and 24h.');
  }
  return ms / 1000;
}

export function positiveInteger(max: number) {
  return (raw: string): number => {
    const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!(n >= 1 && n <= max)) throw new InvalidArgumentError(`Must be a whole number, 1-${max}.`);
    return n;
  };
}

export function parseApiUrl(raw: string): string {
  try {
    return normalizeApiUrl(raw);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

/** Durations in messages: `60s`, `1m30s`. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
}

/** A time bound as given: a duration before now (`1h`), or an ISO 8601 time. */
export type TimeBound = { agoMs: number } | { at: string };

/** `--since 1h` (an hour ago) or `--since 2026-01-01T00:00:00Z`. */
export function parseTimeBound(raw: string): TimeBound {
  const agoMs = parseDuration(raw, { units: GO_UNITS });
  if (agoMs !== undefined) return { agoMs };
  // An ISO time with a date and a time zone: a bare date or local time would be guessed.
  const time = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(time)) {
    throw new InvalidArgumentError(
      'Must be a duration before now (30s, 5m, 1h30m) or an ISO time (2026-01-01T00:00:00Z).',
    );
  }
  return { at: new Date(time).toISOString() };
}

/** The bound as an ISO time, a duration ago counted from `now`. */
export function resolveTimeBound(bound: TimeBound, now: Date): string {
  return 'agoMs' in bound ? new Date(now.getTime() - bound.agoMs).toISOString() : bound.at;
}
