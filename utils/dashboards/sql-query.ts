// A PostgreSQL panel query for the foundation SDK, which has builders for Prometheus and Loki
// but none for Grafana's SQL data sources. The JSON is what Grafana's PostgreSQL query editor
// saves in code mode: rawSql, with format table or time_series.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { POSTGRES } from './datasources.js';

/**
 * What a panel needs of the query's rows, checked by the proof test against real data:
 * `time_series` a numeric or timestamp `time` column in ascending order; `table` any columns.
 */
export type SqlFormat = 'table' | 'time_series';

export interface SqlQuery extends cog.Dataquery {
  refId: string;
  datasource: dashboard.DataSourceRef;
  editorMode: 'code';
  format: SqlFormat;
  rawQuery: true;
  rawSql: string;
}

export class SqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly query: SqlQuery;

  constructor(rawSql: string, format: SqlFormat = 'table', refId = 'A') {
    this.query = {
      refId,
      datasource: POSTGRES,
      editorMode: 'code',
      format,
      rawQuery: true,
      rawSql: dedent(rawSql),
      _implementsDataqueryVariant() {},
    };
  }

  build(): SqlQuery {
    return this.query;
  }
}

export const sql = (rawSql: string, refId = 'A') => new SqlQueryBuilder(rawSql, 'table', refId);
export const sqlSeries = (rawSql: string, refId = 'A') =>
  new SqlQueryBuilder(rawSql, 'time_series', refId);

/** Removes the indentation of a template literal, so the SQL reads well in Grafana's editor. */
function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return lines.map((l) => l.slice(indent)).join('\n');
}
