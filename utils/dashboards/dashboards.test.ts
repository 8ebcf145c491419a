// The provisioned dashboards as Grafana would load them: each file is what the typed code
// generates, has a unique uid and a title, refers only to provisioned data sources and to
// dashboards that exist, and lays its panels out inside the 24-column grid without overlap.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARDS_DIR, generateDashboards } from './generate.js';

const GRID_COLUMNS = 24;
const PROVISIONING = path.dirname(DASHBOARDS_DIR);

interface Ref {
  type?: string;
  uid?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: Ref;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; datasource?: Ref }[];
  fieldConfig?: { overrides?: { properties: { id: string; value: unknown }[] }[] };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: { name: string; datasource?: Ref }[] };
}

const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'));
const dashboards = files.map(
  (f) => [f, JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, f), 'utf8')) as Dashboard] as const,
);
const datasources = (
  parse(readFileSync(path.join(PROVISIONING, 'datasources/datasources.yaml'), 'utf8')) as {
    datasources: { uid: string; type: string }[];
  }
).datasources;

describe('provisioned dashboards', () => {
  it('are exactly what utils/dashboards generates (npm run gen:dashboards)', async () => {
    const generated = await generateDashboards();
    expect(files.sort()).toEqual([...generated.keys()].sort());
    for (const [file, text] of generated) {
      expect(readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8'), file).toBe(text);
    }
  });

  it('each have a unique uid and a title', () => {
    const uids = dashboards.map(([, d]) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const [file, d] of dashboards) {
      expect(d.uid, file).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(d.title, file).not.toBe('');
    }
  });

  it('refer only to provisioned data sources, by uid and type', () => {
    const known = new Set(datasources.map((ds) => `${ds.type}/${ds.uid}`));
    for (const [file, d] of dashboards) {
      const refs: [string, Ref | undefined][] = [
        ...(d.templating?.list ?? []).map((v): [string, Ref | undefined] => [
          `$${v.name}`,
          v.datasource,
        ]),
        ...d.panels.flatMap((p) => [
          [p.title, p.datasource] as [string, Ref | undefined],
          ...(p.targets ?? []).map((t): [string, Ref | undefined] => [
            `${p.title} ${t.refId}`,
            t.datasource,
          ]),
        ]),
      ];
      for (const [where, ref] of refs) {
        expect(ref, `${file}: ${where}`).toBeDefined();
        expect(known, `${file}: ${where}`).toContain(`${ref?.type}/${ref?.uid}`);
      }
    }
  });

  it('link only to dashboards that exist', () => {
    const uids = new Set(dashboards.map(([, d]) => d.uid));
    for (const [file, d] of dashboards) {
      const urls = JSON.stringify(d).match(/\/d\/[a-z0-9-]+/g) ?? [];
      for (const url of urls) expect(uids, `${file}: ${url}`).toContain(url.slice(3));
    }
  });

  it('lay out their panels inside the 24-column grid, without overlap, with unique ids', () => {
    for (const [file, d] of dashboards) {
      expect(d.panels.length, file).toBeGreaterThan(0);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size, file).toBe(ids.length);
      d.panels.forEach((p, i) => {
        const { x, y, w, h } = p.gridPos;
        expect(x >= 0 && y >= 0 && w > 0 && h > 0, `${file}: ${p.title}`).toBe(true);
        expect(x + w, `${file}: ${p.title}`).toBeLessThanOrEqual(GRID_COLUMNS);
        expect(p.targets?.length, `${file}: ${p.title} has no query`).toBeGreaterThan(0);
        for (const q of d.panels.slice(i + 1)) {
          const overlap =
            x < q.gridPos.x + q.gridPos.w &&
            q.gridPos.x < x + w &&
            y < q.gridPos.y + q.gridPos.h &&
            q.gridPos.y < y + h;
          expect(overlap, `${file}: ${p.title} overlaps ${q.title}`).toBe(false);
        }
      });
    }
  });
});
