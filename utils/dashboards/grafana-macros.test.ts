// The expander against the expansions Grafana's own tests pin down
// (pkg/tsdb/grafana-postgresql-datasource/macros_test.go, packages/grafana-data rangeutil).
import { describe, expect, it } from 'vitest';
import {
  calculateIntervalMs,
  expandSql,
  intervalText,
  MacroError,
  type Expansion,
} from './grafana-macros.js';

const from = new Date('2018-04-12T18:00:00Z');
const to = new Date('2018-04-12T18:05:00Z');
const plain: Expansion = { from, to, intervalMs: 300_000, timescaledb: false, variables: {} };
const timescale: Expansion = { ...plain, timescaledb: true };

describe('expandSql, as Grafana expands PostgreSQL macros', () => {
  it.each([
    ['select $__time(time_column)', plain, 'select time_column AS "time"'],
    [
      'WHERE $__timeFilter(time_column)',
      plain,
      "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'",
    ],
    ['select $__timeFrom()', plain, "select '2018-04-12T18:00:00Z'"],
    ['select $__timeTo()', plain, "select '2018-04-12T18:05:00Z'"],
    [
      "SELECT $__timeGroup(time_column,'5m'), value",
      plain,
      'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value',
    ],
    [
      "SELECT $__timeGroup(time_column,'5m') as time, value",
      plain,
      'SELECT floor(extract(epoch from time_column)/300)*300 as time, value',
    ],
    [
      "SELECT $__timeGroupAlias(time_column , '5m')",
      plain,
      'SELECT floor(extract(epoch from time_column)/300)*300 AS "time"',
    ],
    [
      "GROUP BY $__timeGroup(time_column , '5m')",
      timescale,
      "GROUP BY time_bucket('300.000s',time_column)",
    ],
    [
      "GROUP BY $__timeGroup(time_column , '12d')",
      timescale,
      "GROUP BY time_bucket('1036800.000s',time_column)",
    ],
    [
      "GROUP BY $__timeGroup(time_column , '20ms')",
      timescale,
      "GROUP BY time_bucket('0.020s',time_column)",
    ],
    ['select $__unixEpochFilter(time)', plain, 'select time >= 1523556000 AND time <= 1523556300'],
    // sqleng's global substitutions, then the macro with the interval text.
    ['SELECT $__interval, $__interval_ms', plain, 'SELECT 5m, 300000'],
    [
      'SELECT $__timeGroupAlias(t, $__interval)',
      { ...plain, intervalMs: 20 },
      'SELECT floor(extract(epoch from t)/0.02)*0.02 AS "time"',
    ],
  ] as const)('%s', (sql, expansion, expected) => {
    expect(expandSql(sql, expansion)).toBe(expected);
  });

  it('keeps the fraction of a time as Go RFC3339Nano does, without trailing zeros', () => {
    const half = { ...plain, from: new Date('1960-02-01T07:00:00.500Z') };
    expect(expandSql('$__timeFrom()', half)).toBe("'1960-02-01T07:00:00.5Z'");
  });

  it('substitutes a single value unquoted and a multi value as quoted literals', () => {
    const expansion: Expansion = {
      ...plain,
      variables: {
        sensor: { value: 'AAD-1123' },
        target: { value: ['press', "o'neil"], multi: true },
        one: { value: 'x', multi: true },
      },
    };
    expect(expandSql("s = '$sensor' AND t IN ($target) AND o = ${one}", expansion)).toBe(
      "s = 'AAD-1123' AND t IN ('press','o''neil') AND o = 'x'",
    );
  });

  it('refuses an unknown variable or macro instead of sending it to the database', () => {
    expect(() => expandSql('WHERE s = $nope', plain)).toThrow(MacroError);
    expect(() => expandSql('$__nope(x)', plain)).toThrow('unknown macro "__nope"');
    expect(() => expandSql("$__timeGroup(t, 'soon')", plain)).toThrow('error parsing interval');
  });
});

describe('the interval, as the frontend computes it', () => {
  it.each([
    // 15 minutes over 1,000 points is 0.9 s, rounded to 1 s.
    [15 * 60_000, 1000, 1, 1_000, '1s'],
    [10_000, 1000, 1, 10, '10ms'],
    [10_000, 1000, 1_000, 1_000, '1s'],
    [86_400_000, 1000, 1_000, 60_000, '1m'],
    [90 * 86_400_000, 1000, 1_000, 7_200_000, '2h'],
    [400 * 86_400_000, 100, 1_000, 86_400_000, '1d'],
    [4000 * 86_400_000, 10, 1_000, 31_536_000_000, '1y'],
  ])('%d ms over %d points, at least %d ms: %d ms (%s)', (range, points, min, ms, text) => {
    const end = new Date('2026-01-01T00:00:00Z');
    expect(calculateIntervalMs(new Date(end.getTime() - range), end, points, min)).toBe(ms);
    expect(intervalText(ms)).toBe(text);
  });
});
