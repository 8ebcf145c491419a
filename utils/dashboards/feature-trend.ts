// Feature trends that stay fast over months: Grafana's $__interval says how wide a point is,
// and the query reads the finest source that is not finer than that. Below a minute the
// windows themselves (sensor_feature); from a minute sensor_feature_1m, from an hour
// sensor_feature_1h (TimescaleDB continuous aggregates; views of the same names on plain
// PostgreSQL, migration 0014). Each branch is gated by a constant, so PostgreSQL runs only one.

/** A trend column: its name, from the windows and from the per-minute/hour aggregates. */
export interface TrendColumn {
  name: string;
  /** An aggregate over sensor_feature rows (alias f). */
  windows: string;
  /** An aggregate over sensor_feature_1m / _1h rows (alias f). */
  aggregates: string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * The three branches of a trend of one sensor ($sensor), one row per $__interval bucket, each
 * also held to `condition` (a constant, like the gates).
 */
export function featureTrendBranches(
  columns: readonly TrendColumn[],
  condition = 'true',
): string[] {
  const select = (pick: (c: TrendColumn) => string) =>
    columns.map((c) => `${pick(c)} AS "${c.name}"`).join(',\n    ');
  const branch = (table: string, time: string, pick: (c: TrendColumn) => string, gate: string) =>
    `  SELECT $__timeGroupAlias(f.${time}, $__interval),
    ${select(pick)}
  FROM ${table} f JOIN sensor s ON s.id = f.sensor_id
  WHERE s.serial_number = '$sensor' AND $__timeFilter(f.${time})
    AND ${gate} AND ${condition}
  GROUP BY 1`;
  return [
    branch('sensor_feature', 'window_start', (c) => c.windows, `$__interval_ms < ${MINUTE_MS}`),
    branch(
      'sensor_feature_1m',
      'bucket',
      (c) => c.aggregates,
      `$__interval_ms >= ${MINUTE_MS} AND $__interval_ms < ${HOUR_MS}`,
    ),
    branch('sensor_feature_1h', 'bucket', (c) => c.aggregates, `$__interval_ms >= ${HOUR_MS}`),
  ];
}

/** Branches with the same columns, as one statement in time order. */
export const unionInTimeOrder = (branches: readonly string[]) =>
  `SELECT * FROM (\n${branches.join('\n  UNION ALL\n')}\n) AS trend\nORDER BY 1`;

/** The trend of one sensor ($sensor), one row per $__interval bucket, in time order. */
export const featureTrendSql = (columns: readonly TrendColumn[]) =>
  unionInTimeOrder(featureTrendBranches(columns));
