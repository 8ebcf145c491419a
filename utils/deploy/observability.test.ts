// Grafana, Prometheus, Loki and Alloy in Kubernetes run the repository's own configuration:
// ConfigMaps generated from the bytes of dependencies/, every provisioning file mounted where
// Grafana reads it, every variable the data sources expand set, every compose scrape job
// scraped, and Alloy tailing the directory the logs ingester writes.
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentOf, loadCompose, serviceOf, stringsIn } from './compose-file.js';
import {
  OVERLAY,
  Rendered,
  containerNamed,
  containersOf,
  filesAsData,
  kustomize,
  podLabels,
  podSpec,
  renderable,
} from './manifests.js';
import { readRepoFile, repoPath } from './repo.js';

const PROVISIONING = 'dependencies/grafana/provisioning';

/** The `$VAR`s Grafana expands in a provisioning file's values (not its comments). */
const expandedVariables = (yaml: string): string[] =>
  stringsIn(parse(yaml)).flatMap((value) =>
    [...value.matchAll(/\$\{?([A-Z][A-Z0-9_]*)\}?/g)].map((m) => m[1] ?? ''),
  );

describe.skipIf(!renderable)('observability in Kubernetes', () => {
  let rendered = new Rendered([]);
  beforeAll(() => {
    rendered = new Rendered(kustomize(OVERLAY));
  });

  it.each([
    ['grafana-datasources', PROVISIONING, ['datasources/datasources.yaml']],
    [
      'grafana-dashboards',
      PROVISIONING,
      readdirSync(repoPath(`${PROVISIONING}/dashboards`)).map((f) => `dashboards/${f}`),
    ],
    ['prometheus-rules', 'dependencies', ['prometheus/rules.yml']],
    ['loki-config', 'dependencies', ['loki/loki.yaml']],
    ['alloy-config', 'dependencies', ['alloy/config.alloy']],
    ['prometheus-config', 'k8s/base', ['prometheus/prometheus.yml']],
    [
      'rabbitmq-cluster',
      'k8s/base',
      ['rabbitmq/cluster.conf', 'rabbitmq/mqtt-tls.conf', 'rabbitmq/enabled_plugins'],
    ],
  ])('generates ConfigMap %s from the bytes of the files', (name, dir, files) => {
    expect(rendered.generated(name).data).toEqual(filesAsData(dir, files));
  });

  it('mounts every provisioning directory of dependencies/grafana where Grafana reads it', () => {
    const grafana = rendered.find('Deployment', 'grafana');
    const container = containerNamed(grafana, 'grafana');
    const volumes = podSpec(grafana).volumes ?? [];
    const dirs = readdirSync(repoPath(PROVISIONING));
    expect(dirs.sort()).toEqual(['dashboards', 'datasources']);
    for (const dir of dirs) {
      const mount = container.volumeMounts?.find(
        (m) => m.mountPath === `/etc/grafana/provisioning/${dir}`,
      );
      const configMap = volumes.find((v) => v.name === mount?.name)?.configMap?.name ?? '';
      const data = rendered.ofKind('ConfigMap').find((c) => c.metadata.name === configMap)?.data;
      expect(Object.keys(data ?? {}).sort(), dir).toEqual(
        readdirSync(repoPath(`${PROVISIONING}/${dir}`)).sort(),
      );
    }
  });

  it('sets every variable the data sources expand, in Kubernetes and in compose', () => {
    const used = expandedVariables(readRepoFile(`${PROVISIONING}/datasources/datasources.yaml`));
    expect(used).toEqual(['IOT_DB_READONLY_PASSWORD']);
    const k8s = containerNamed(rendered.find('Deployment', 'grafana'), 'grafana').env ?? [];
    const compose = environmentOf(serviceOf(loadCompose(), 'grafana'));
    for (const variable of used) {
      expect(k8s.find((e) => e.name === variable)?.valueFrom?.secretKeyRef, variable).toEqual({
        name: 'iot-db-secrets',
        key: variable,
      });
      expect(compose[variable], variable).toMatch(new RegExp(`^\\$\\{${variable}:\\?`));
    }
  });

  it("scrapes in Kubernetes every job compose's Prometheus scrapes, and evaluates its rules", () => {
    const composeJobs = (
      parse(readRepoFile('dependencies/prometheus/prometheus.yml')) as {
        scrape_configs: { job_name: string }[];
      }
    ).scrape_configs.map((j) => j.job_name);
    const k8s = parse(readRepoFile('k8s/base/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { job_name: string }[];
    };
    // The pod-discovery job names each target's job after its app (relabel to `job`).
    const discovered = rendered
      .workloads()
      .filter((w) => containersOf(w).some((c) => c.ports?.some((p) => p.name === 'metrics')))
      .map((w) => podLabels(w)['app.kubernetes.io/name']);
    const k8sJobs = new Set([...k8s.scrape_configs.map((j) => j.job_name), ...discovered]);
    expect(composeJobs.filter((job) => !k8sJobs.has(job))).toEqual([]);
    // rules.yml is where the rules ConfigMap is mounted.
    const prometheus = rendered.find('StatefulSet', 'prometheus');
    const rules = containerNamed(prometheus, 'prometheus').volumeMounts?.find(
      (m) =>
        (podSpec(prometheus).volumes ?? []).find((v) => v.name === m.name)?.configMap?.name ===
        rendered.generated('prometheus-rules').metadata.name,
    );
    expect(k8s.rule_files).toEqual([`${rules?.mountPath ?? '?'}/rules.yml`]);
  });

  it('has Alloy tail the directory the logs ingester writes, beside it in the pod', () => {
    const ingester = rendered.find('Deployment', 'sensor-logs-ingester');
    const writer = containerNamed(ingester, 'sensor-logs-ingester');
    const dir = writer.env?.find((e) => e.name === 'IOT_SENSOR_LOG_DIR')?.value;
    const written = writer.volumeMounts?.find((m) => m.mountPath === dir);
    expect(written?.readOnly ?? false).toBe(false);
    const alloy = containerNamed(ingester, 'alloy');
    const read = alloy.volumeMounts?.find((m) => m.name === written?.name);
    expect(read?.readOnly).toBe(true);
    const config = readRepoFile('dependencies/alloy/config.alloy');
    expect(config).toContain(`__path__ = "${read?.mountPath ?? '?'}/sensors-*.log"`);
    const configMount = alloy.volumeMounts?.find(
      (m) =>
        (podSpec(ingester).volumes ?? []).find((v) => v.name === m.name)?.configMap?.name ===
        rendered.generated('alloy-config').metadata.name,
    );
    expect(alloy.args).toContain(`${configMount?.mountPath ?? '?'}/config.alloy`);
    // The day files live in an emptyDir: Loki keeps them once Alloy has shipped them.
    expect(
      (podSpec(ingester).volumes ?? []).find((v) => v.name === written?.name)?.emptyDir,
    ).toBeDefined();
  });
});
