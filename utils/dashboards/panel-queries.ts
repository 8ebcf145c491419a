// Every query of the provisioned dashboards, read from the JSON files Grafana loads (not from
// the code that generates them), for the proofs against real data.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARDS_DIR } from './generate.js';

export interface PanelQuery {
  dashboard: string;
  /** Panel title and refId, or `$name` for a template variable's query. */
  where: string;
  panelType: string;
  datasourceType: string;
  /** rawSql (PostgreSQL), expr (Prometheus, Loki) or a variable's query. */
  text: string;
  /** table or time_series for SQL; undefined otherwise. */
  format: string | undefined;
  /** Panel width in grid columns (the variable queries: the full width). */
  width: number;
  /** The panel's own minimum interval ("Min interval"), which overrides the data source's. */
  minInterval: string | undefined;
}

interface Json {
  title: string;
  templating?: { list: { name: string; query?: string; datasource?: { type?: string } }[] };
  panels: {
    title: string;
    type: string;
    gridPos: { w: number };
    interval?: string;
    targets?: {
      refId: string;
      datasource?: { type?: string };
      rawSql?: string;
      expr?: string;
      format?: string;
    }[];
  }[];
}

const GRID_COLUMNS = 24;

export function provisionedQueries(): PanelQuery[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const d = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8')) as Json;
      const variables = (d.templating?.list ?? [])
        .filter((v) => typeof v.query === 'string')
        .map((v): PanelQuery => ({
          dashboard: d.title,
          where: `$${v.name}`,
          panelType: 'variable',
          datasourceType: v.datasource?.type ?? '',
          text: v.query ?? '',
          format: 'table',
          width: GRID_COLUMNS,
          minInterval: undefined,
        }));
      const panels = d.panels.flatMap((p) =>
        (p.targets ?? []).map((t): PanelQuery => ({
          dashboard: d.title,
          where: `${p.title} ${t.refId}`,
          panelType: p.type,
          datasourceType: t.datasource?.type ?? '',
          text: t.rawSql ?? t.expr ?? '',
          format: t.format,
          width: p.gridPos.w,
          minInterval: p.interval,
        })),
      );
      return [...variables, ...panels];
    });
}

export const isSql = (q: PanelQuery) => q.datasourceType === 'grafana-postgresql-datasource';
export const isPromql = (q: PanelQuery) => q.datasourceType === 'prometheus';
export const isLogql = (q: PanelQuery) => q.datasourceType === 'loki';

/** Grafana's data points for a panel: about its width in pixels (1,920 px over 24 columns). */
export const panelPoints = (q: PanelQuery) => Math.round((q.width * 1920) / GRID_COLUMNS);
