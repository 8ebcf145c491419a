// What Grafana sends to PostgreSQL for a panel's rawSql, so the proof tests run the very SQL a
// dashboard would. Three steps, in Grafana's order:
//   1. the frontend's template variables (public/app/features/templating/template_srv.ts with
//      the PostgreSQL data source's interpolateVariable): a single value unquoted, a multi or
//      "All" value as a list of quoted literals; $__interval as secondsToHms of the interval;
//   2. the backend's global substitutions (pkg/tsdb/sqleng: $__interval_ms, $__interval,
//      $__unixEpochFrom(), $__unixEpochTo());
//   3. the PostgreSQL macro engine (pkg/tsdb/grafana-postgresql-datasource/macros.go).
// The interval is the frontend's calculateInterval (packages/grafana-data rangeutil.ts).

export interface VariableValue {
  value: string | readonly string[];
  /** Multi-value or include-All variables are substituted as quoted literals. */
  multi?: boolean;
}

export interface Expansion {
  from: Date;
  to: Date;
  intervalMs: number;
  /** The data source's TimescaleDB option: $__timeGroup becomes time_bucket(). */
  timescaledb: boolean;
  variables: Readonly<Record<string, VariableValue>>;
}

export class MacroError extends Error {
  override name = 'MacroError';
}

/** rangeutil.roundInterval: [below this many ms, use this many ms]. */
const ROUNDED_INTERVALS: readonly [number, number][] = [
  [10, 1],
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1_500, 1_000],
  [3_500, 2_000],
  [7_500, 5_000],
  [12_500, 10_000],
  [17_500, 15_000],
  [25_000, 20_000],
  [45_000, 30_000],
  [90_000, 60_000],
  [210_000, 120_000],
  [450_000, 300_000],
  [750_000, 600_000],
  [1_050_000, 900_000],
  [1_500_000, 1_200_000],
  [2_700_000, 1_800_000],
  [5_400_000, 3_600_000],
  [9_000_000, 7_200_000],
  [16_200_000, 10_800_000],
  [32_400_000, 21_600_000],
  [86_400_000, 43_200_000],
  [604_800_000, 86_400_000],
  [1_814_400_000, 604_800_000],
  [3_628_800_000, 2_592_000_000],
];
const YEAR_MS = 31_536_000_000;

export function roundInterval(ms: number): number {
  return ROUNDED_INTERVALS.find(([below]) => ms < below)?.[1] ?? YEAR_MS;
}

/**
 * rangeutil.calculateInterval: the range over the panel's data points (its width in pixels,
 * or maxDataPoints), rounded, and never below the data source's minimum interval.
 */
export function calculateIntervalMs(from: Date, to: Date, points: number, minMs: number): number {
  return Math.max(minMs, roundInterval((to.getTime() - from.getTime()) / points));
}

/** rangeutil.secondsToHms, from milliseconds: the largest unit with a whole count. */
export function intervalText(ms: number): string {
  const seconds = ms / 1000;
  const counts: [number, string][] = [
    [Math.floor(seconds / 31_536_000), 'y'],
    [Math.floor((seconds % 31_536_000) / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3_600), 'h'],
    [Math.floor((seconds % 3_600) / 60), 'm'],
    [Math.floor(seconds % 60), 's'],
    [Math.floor(seconds * 1000), 'ms'],
  ];
  const [count, unit] = counts.find(([n]) => n > 0) ?? [0, ''];
  return count ? `${count}${unit}` : 'less than a millisecond';
}

/** Go's time.RFC3339Nano in UTC: the fraction without trailing zeros, none when zero. */
export function rfc3339Nano(date: Date): string {
  return date.toISOString().replace(/\.?0+Z$/, 'Z');
}

/** gtime.ParseInterval for the forms the frontend writes: 500ms, 10s, 2m, 1h, 1d, 1w, 1y. */
export function parseIntervalMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(text);
  if (!match) throw new MacroError(`error parsing interval ${text}`);
  const size = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8, y: YEAR_MS }[match[2]!];
  return Number(match[1]) * size!;
}

const quoteLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Step 1: $name and ${name}; an unknown name is an error here (Grafana would leave it). */
function replaceVariables(sql: string, expansion: Expansion): string {
  return sql.replace(/\$(\w+)|\$\{(\w+)\}/g, (whole, plain: string, braced: string, at: number) => {
    const name = plain ?? braced;
    if (name === '__interval') return intervalText(expansion.intervalMs);
    if (name === '__interval_ms') return String(expansion.intervalMs);
    // Macros are the backend's ($__timeFilter(...) and the like).
    if (name.startsWith('__') && sql[at + whole.length] === '(') return whole;
    const variable = expansion.variables[name];
    if (!variable) throw new MacroError(`no value for template variable $${name}`);
    if (typeof variable.value === 'string') {
      return variable.multi ? quoteLiteral(variable.value) : variable.value;
    }
    return variable.value.map(quoteLiteral).join(',');
  });
}

/** Step 3: one macro, as macros.go evaluateMacro does it. */
function macro(name: string, args: string[], expansion: Expansion): string {
  const from = rfc3339Nano(expansion.from);
  const to = rfc3339Nano(expansion.to);
  const column = () => {
    if (!args[0]) throw new MacroError(`missing time column argument for macro ${name}`);
    return args[0];
  };
  switch (name) {
    case '__time':
      return `${column()} AS "time"`;
    case '__timeEpoch':
      return `extract(epoch from ${column()}) as "time"`;
    case '__timeFilter':
      return `${column()} BETWEEN '${from}' AND '${to}'`;
    case '__timeFrom':
      return `'${from}'`;
    case '__timeTo':
      return `'${to}'`;
    case '__timeGroup': {
      if (args.length < 2) {
        throw new MacroError(
          `macro ${name} needs time column and interval and optional fill value`,
        );
      }
      const seconds = parseIntervalMs(args[1]!.replace(/^'|'$/g, '')) / 1000;
      if (expansion.timescaledb) return `time_bucket('${seconds.toFixed(3)}s',${args[0]})`;
      return `floor(extract(epoch from ${args[0]})/${seconds})*${seconds}`;
    }
    case '__timeGroupAlias':
      return `${macro('__timeGroup', args, expansion)} AS "time"`;
    case '__unixEpochFilter':
      return `${column()} >= ${epoch(expansion.from)} AND ${column()} <= ${epoch(expansion.to)}`;
    default:
      throw new MacroError(`unknown macro "${name}"`);
  }
}

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

/** The SQL Grafana would run for this rawSql, range, interval and variables. */
export function expandSql(rawSql: string, expansion: Expansion): string {
  let sql = replaceVariables(rawSql, expansion);
  sql = sql
    .replaceAll('$__interval_ms', String(expansion.intervalMs))
    .replaceAll('$__interval', intervalText(expansion.intervalMs))
    .replaceAll('$__unixEpochFrom()', String(epoch(expansion.from)))
    .replaceAll('$__unixEpochTo()', String(epoch(expansion.to)));
  return sql.replace(
    /\$([_a-zA-Z0-9]+)\(([^)]*)\)/g,
    (whole, name: string, argText: string, at: number) => {
      // $__timeGroup directly followed by a comma is the pre-5.3 form, which aliased itself.
      const aliased = name === '__timeGroup' && sql[at + whole.length] === ',';
      const args = argText.split(',').map((a) => a.trim());
      return macro(aliased ? '__timeGroupAlias' : name, args, expansion);
    },
  );
}
