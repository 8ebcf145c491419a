// The log path's configs, checked as far as can be done without Loki or Alloy here (neither has a
// Debian package, and there is no container engine): Loki's YAML parses and keeps lines as long
// as the database does; Alloy's config is checked for its structure only (balanced blocks,
// components that exist, every forward_to pointing at a component defined in the file), reads
// the files sensor-logs-ingester writes and sets the labels the Vibration dashboard selects by.
// Prometheus' files are checked with promtool in prometheus-config.integration.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isLogql, provisionedQueries } from './dashboards/panel-queries.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const alloy = readFileSync(path.join(root, 'dependencies/alloy/config.alloy'), 'utf8');
/** The config without comments and string contents, for the structure checks. */
const alloyCode = alloy.replace(/\/\/.*$/gm, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');

/** The components the config may use (Alloy's reference, as of v1). */
const KNOWN_COMPONENTS = new Set([
  'local.file_match',
  'loki.source.file',
  'loki.process',
  'loki.write',
]);

describe('dependencies/loki/loki.yaml', () => {
  const loki = parse(readFileSync(path.join(root, 'dependencies/loki/loki.yaml'), 'utf8')) as {
    schema_config: { configs: { store: string; schema: string }[] };
    limits_config: { retention_period: string };
    compactor: { retention_enabled: boolean };
  };

  it('keeps lines 30 days, as long as sensor_log (migration 0006), and enforces it', () => {
    expect(loki.limits_config.retention_period).toBe('720h');
    expect(loki.compactor.retention_enabled).toBe(true);
  });

  it('stores with the TSDB index and schema v13, which retention needs', () => {
    expect(loki.schema_config.configs.at(-1)).toMatchObject({ store: 'tsdb', schema: 'v13' });
  });
});

describe('dependencies/alloy/config.alloy', () => {
  const blocks = [...alloyCode.matchAll(/^([a-z_][a-z0-9_.]*)\s+""\s*\{/gm)].map((m) => m[1]!);
  const labels = [...alloy.matchAll(/^([a-z_][a-z0-9_.]*)\s+"([a-z_0-9]+)"\s*\{/gm)].map(
    (m) => `${m[1]}.${m[2]}`,
  );

  it('has balanced blocks, lists and objects', () => {
    for (const [open, close] of ['{}', '[]', '()']) {
      expect(alloyCode.split(open!).length, `${open}${close}`).toBe(alloyCode.split(close!).length);
    }
  });

  it('uses only known components, and forwards only to components it defines', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(KNOWN_COMPONENTS).toContain(block);
    const forwards = [...alloy.matchAll(/forward_to\s*=\s*\[([^\]]*)\]/g)].flatMap((m) =>
      m[1]!.split(',').map((s) => s.trim().replace(/\.receiver$/, '')),
    );
    expect(forwards.length).toBeGreaterThan(0);
    for (const target of forwards) expect(labels).toContain(target);
  });

  it("tails the ingester's day files, keeping the device's timestamp", () => {
    const glob = /__path__\s*=\s*"([^"]+)"/.exec(alloy)?.[1] ?? '';
    const pattern = new RegExp(`^${path.basename(glob).replace(/\./g, '\\.').replace('*', '.*')}$`);
    // The contract cmd/sensor-logs-ingester/log-file.ts states (read as text: utils/ may not
    // import a service's code).
    const contract = readFileSync(path.join(root, 'cmd/sensor-logs-ingester/log-file.ts'), 'utf8');
    expect(contract).toContain('file       sensors-YYYY-MM-DD.log');
    expect('sensors-2024-05-01.log').toMatch(pattern);
    expect(alloy).toMatch(/stage\.timestamp\s*\{\s*source\s*=\s*"time"/);
  });

  it('sets every label the dashboards select log lines by', () => {
    const set = new Set([
      'job',
      ...[...alloy.matchAll(/^\s+(\w+)\s*=\s*"\w+",?$/gm)].map((m) => m[1]!),
    ]);
    const selectors = provisionedQueries().filter(isLogql);
    expect(selectors.length).toBeGreaterThan(0);
    for (const q of selectors) {
      for (const [, label] of q.text.matchAll(/(\w+)\s*=~?\s*"/g)) expect(set).toContain(label);
    }
    expect(alloy).toContain('job      = "iot-sensor-logs"');
    for (const q of selectors) expect(q.text).toContain('job="iot-sensor-logs"');
  });
});
