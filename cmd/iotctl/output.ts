// How results reach stdout. `-o table` (the default) is for people; `-o json` is for scripts and
// prints the API's objects exactly as received: one object for one resource, a JSON array for
// a list (the `items` of the API's `{items: [...]}`), and one compact object per line for the
// streams of `logs -f` and `watch`.
import { Option } from 'commander';
import type { Writer } from './deps.js';
import { NONE, renderTable, type Column } from './table.js';

export type OutputFormat = 'table' | 'json';

export const JSON_HELP =
  'the API object unchanged; a JSON array for lists; one compact object per line for logs -f and watch';
export const OUTPUT_HELP = `table, or json: ${JSON_HELP}`;

export function outputOption(): Option {
  return new Option('-o, --output <format>', OUTPUT_HELP)
    .choices(['table', 'json'])
    .default('table');
}

export function writeJson(out: Writer, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeJsonLine(out: Writer, value: unknown): void {
  out.write(`${JSON.stringify(value)}\n`);
}

/** `12s`, `3m`, `5h`, `4d`, `2y`: how long ago `iso` was; `—` for null. */
export function age(iso: string | null | undefined, now: Date): string {
  if (!iso) return NONE;
  const ms = now.getTime() - Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return humanDuration(Math.max(0, ms));
}

/** `in 4m` or `4m ago`: for times that may lie ahead (expiry). */
export function relative(iso: string | null | undefined, now: Date): string {
  if (!iso) return NONE;
  const ms = Date.parse(iso) - now.getTime();
  if (Number.isNaN(ms)) return iso;
  return ms >= 0 ? `in ${humanDuration(ms)}` : `${humanDuration(-ms)} ago`;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** One unit, rounded down, as kubectl's AGE column; hours until two days so "30h" stays exact enough. */
export function humanDuration(ms: number): string {
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)}s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m`;
  if (ms < 2 * DAY) return `${Math.floor(ms / HOUR)}h`;
  if (ms < 2 * YEAR) return `${Math.floor(ms / DAY)}d`;
  return `${Math.floor(ms / YEAR)}y`;
}

export const orNone = (value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? NONE : String(value);

/** A list in the chosen format; an empty table says so on stderr, leaving stdout empty. */
export function printList<T>(
  streams: { stdout: Writer; stderr: Writer },
  format: OutputFormat,
  items: readonly T[],
  columns: readonly Column<T>[],
  noun: string,
): void {
  if (format === 'json') return writeJson(streams.stdout, items);
  if (items.length === 0) {
    streams.stderr.write(`No ${noun} found.\n`);
    return;
  }
  streams.stdout.write(renderTable(columns, items));
}
