// Every provisioned dashboard, built from the typed code beside this file, as the JSON files
// dependencies/grafana/provisioning/dashboards/ holds. `npm run gen:dashboards` writes them;
// generated.test.ts fails when the committed files and the code differ.
import path from 'node:path';
import * as prettier from 'prettier';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { fileURLToPath } from 'node:url';
import { databaseDashboard } from './database.js';
import { fleetHealthDashboard } from './fleet-health.js';
import { geotrackingDashboard } from './geotracking.js';
import { pipelineDashboard } from './pipeline.js';
import { vibrationDashboard } from './vibration.js';

export const DASHBOARDS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dependencies/grafana/provisioning/dashboards',
);

const BUILDERS = {
  'vibration.json': vibrationDashboard,
  'geotracking.json': geotrackingDashboard,
  'fleet-health.json': fleetHealthDashboard,
  'pipeline.json': pipelineDashboard,
  'database.json': databaseDashboard,
} as const;

/** File name → the file's text: JSON as the repository's Prettier formats it. */
export async function generateDashboards(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [file, build] of Object.entries(BUILDERS)) {
    const json = JSON.stringify(withPanelIdentity(build().build()));
    const filepath = path.join(DASHBOARDS_DIR, file);
    const options = await prettier.resolveConfig(filepath);
    files.set(file, await prettier.format(json, { ...options, filepath }));
  }
  return files;
}

/**
 * Stable panel ids (links and alert rules point at them) and each panel's data source: the one
 * its queries use, so Grafana never falls back to its default data source for a panel.
 */
function withPanelIdentity(built: dashboard.Dashboard): dashboard.Dashboard {
  (built.panels ?? []).forEach((panel, i) => {
    if (panel.type === 'row') return;
    const p = panel as dashboard.Panel;
    p.id = i + 1;
    p.datasource ??= (p.targets?.[0] as { datasource?: dashboard.DataSourceRef } | undefined)
      ?.datasource;
  });
  return built;
}
