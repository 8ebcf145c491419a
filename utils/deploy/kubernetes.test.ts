// The rendered homelab overlay as a whole: namespace and labels, Services that reach the pods
// they name, every pod non-root without privileges on a read-only root filesystem (but the
// broker's and the database's images, which write next to their binaries), resources and
// probes everywhere, ConfigMaps generated from the bytes of dependencies/, and iot-api's TLS.
import type { IContainer } from 'kubernetes-models/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCompose, usersScript } from './compose-file.js';
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
  type K8sObject,
} from './manifests.js';
import { readRepoFile } from './repo.js';

const CLUSTER_SCOPED = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass'];
/**
 * Containers (workload/container) whose images write beside their own files (the entrypoints
 * of RabbitMQ and PostgreSQL); a platform sidecar in their pods (broker-auth) does not.
 */
const WRITABLE_ROOT = ['rabbitmq/rabbitmq', 'timescaledb/timescaledb'];
/** Workloads that talk to the Kubernetes API: peer discovery, pod discovery. */
const API_CLIENTS = ['rabbitmq', 'prometheus'];

describe.skipIf(!renderable)(`kubectl kustomize ${OVERLAY}`, () => {
  let rendered = new Rendered([]);
  beforeAll(() => {
    rendered = new Rendered(kustomize(OVERLAY));
  });
  const first = (o: K8sObject): IContainer => podSpec(o).containers[0] as IContainer;

  it('puts everything in namespace iot, labelled as part of the platform', () => {
    expect(rendered.find('Namespace', 'iot')).toBeDefined();
    for (const o of rendered.objects) {
      const id = `${o.kind} ${o.metadata.name}`;
      if (!CLUSTER_SCOPED.includes(o.kind)) expect(o.metadata.namespace, id).toBe('iot');
      expect(o.metadata.labels?.['app.kubernetes.io/part-of'], id).toBe('iot-platform');
      expect(o.metadata.labels?.['app.kubernetes.io/name'], id).toBeTruthy();
    }
    for (const o of rendered.workloads()) {
      expect(podLabels(o)['app.kubernetes.io/name'], o.metadata.name).toBeTruthy();
      expect(podLabels(o)['app.kubernetes.io/part-of'], o.metadata.name).toBe('iot-platform');
    }
  });

  it.each([
    ['rabbitmq', 'rabbitmq:3.10-management'],
    ['timescaledb', 'timescale/timescaledb-ha:pg15'],
    ['prometheus', 'prom/prometheus:v2.53.4'],
    ['loki', 'grafana/loki:3.4.2'],
  ])('runs StatefulSet %s (%s) with its volume, behind its governing Service', (name, image) => {
    const set = rendered.find('StatefulSet', name);
    expect(first(set).image).toBe(image);
    const spec = set.spec as {
      serviceName: string;
      volumeClaimTemplates: { metadata: { name: string }; spec: { storageClassName?: string } }[];
    };
    expect(spec.volumeClaimTemplates.map((t) => t.metadata.name)).toEqual(['data']);
    // The homelab's storage class, patched in by the overlay.
    expect(spec.volumeClaimTemplates[0]?.spec.storageClassName).toBe('local-path');
    expect(rendered.find('Service', spec.serviceName)).toBeDefined();
  });

  it('points every Service at exactly one workload that has its target ports', () => {
    for (const svc of rendered.ofKind('Service')) {
      const spec = svc.spec as {
        selector: Record<string, string>;
        ports: { name?: string; targetPort?: number | string }[];
      };
      const backends = rendered
        .workloads()
        .filter((w) => Object.entries(spec.selector).every(([k, v]) => podLabels(w)[k] === v));
      expect(backends, svc.metadata.name).toHaveLength(1);
      const named = new Set(
        containersOf(backends[0] as K8sObject)
          .flatMap((c) => c.ports ?? [])
          .map((p) => p.name),
      );
      for (const port of spec.ports) {
        expect(typeof port.targetPort, `${svc.metadata.name} ${port.name ?? ''}`).toBe('string');
        expect(named, svc.metadata.name).toContain(port.targetPort);
      }
    }
  });

  it('runs iot-api with its TLS certificate from the kubernetes.io/tls Secret iot-api-tls', () => {
    const deployment = rendered.find('Deployment', 'iot-api');
    const api = containerNamed(deployment, 'iot-api');
    const tls = (podSpec(deployment).volumes ?? []).find(
      (v) => v.secret?.secretName === 'iot-api-tls',
    );
    const mount = api.volumeMounts?.find((m) => m.name === tls?.name);
    expect(mount?.readOnly).toBe(true);
    const env = Object.fromEntries((api.env ?? []).map((e) => [e.name, e.value]));
    expect(env.IOT_TLS_CERT_FILE).toBe(`${mount?.mountPath ?? '?'}/tls.crt`);
    expect(env.IOT_TLS_KEY_FILE).toBe(`${mount?.mountPath ?? '?'}/tls.key`);
    // Not world-readable; the pod's fsGroup lets node read it.
    expect((tls?.secret?.defaultMode ?? 0o644) & 0o007).toBe(0);
    const https = (path: string) => ({ scheme: 'HTTPS', path, port: 'https' });
    expect(api.startupProbe?.httpGet).toEqual(https('/healthz'));
    expect(api.livenessProbe?.httpGet).toEqual(https('/healthz'));
    expect(api.readinessProbe?.httpGet).toEqual(https('/readyz'));
    // One replica: it holds the live event streams (and consumes the acks for them).
    expect((deployment.spec as { replicas?: number }).replicas).toBe(1);
    // Devices are told to connect over TLS, to the LAN name of the MQTT load balancer.
    expect(env.IOT_MQTT_URL).toMatch(/^mqtts:\/\/[a-z0-9.-]+:8883$/);
  });

  it('expands $(VAR) in env values only from variables defined before them', () => {
    for (const o of rendered.workloads()) {
      for (const c of containersOf(o)) {
        const env = c.env ?? [];
        env.forEach((e, at) => {
          for (const [, name] of (e.value ?? '').matchAll(/\$\(([A-Za-z_]\w*)\)/g)) {
            const definedAt = env.findIndex((d) => d.name === name);
            expect(definedAt, `${c.name}: ${e.name} uses $(${name})`).toBeGreaterThanOrEqual(0);
            expect(definedAt, `${c.name}: ${e.name} uses $(${name})`).toBeLessThan(at);
          }
        });
      }
    }
  });

  it('runs every pod as non-root, every container without privileges', () => {
    for (const o of rendered.workloads()) {
      const pod = podSpec(o);
      const id = o.metadata.name;
      expect(pod.securityContext?.runAsNonRoot, id).toBe(true);
      expect(pod.securityContext?.runAsUser, id).toBeGreaterThan(0);
      expect(pod.securityContext?.seccompProfile?.type, id).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken, id).toBe(API_CLIENTS.includes(id));
      for (const c of containersOf(o)) {
        expect(c.securityContext?.allowPrivilegeEscalation, `${id}/${c.name}`).toBe(false);
        expect(c.securityContext?.capabilities?.drop, `${id}/${c.name}`).toEqual(['ALL']);
        expect(c.securityContext?.readOnlyRootFilesystem ?? false, `${id}/${c.name}`).toBe(
          !WRITABLE_ROOT.includes(`${id}/${c.name}`),
        );
      }
    }
  });

  it('gives every container requests and limits, and every long-running one probes', () => {
    for (const o of rendered.workloads()) {
      for (const c of containersOf(o)) {
        const id = `${o.kind} ${o.metadata.name}/${c.name}`;
        for (const bound of ['requests', 'limits'] as const) {
          expect(Object.keys(c.resources?.[bound] ?? {}), `${id} ${bound}`).toEqual(
            expect.arrayContaining(['cpu', 'memory']),
          );
        }
        if (o.kind === 'Job') continue;
        expect(c.readinessProbe, `${id} readinessProbe`).toBeDefined();
        expect(c.livenessProbe, `${id} livenessProbe`).toBeDefined();
      }
    }
  });

  it.each([
    [
      'rabbitmq-config',
      [
        'rabbitmq/rabbitmq.conf',
        'rabbitmq/advanced.config',
        'rabbitmq/enabled_plugins',
        'rabbitmq/definitions.json',
      ],
    ],
    ['timescaledb-config', ['timescaledb/postgresql.conf']],
    ['timescaledb-init', ['timescaledb/init/001-init.sh']],
  ])('generates ConfigMap %s from the bytes of dependencies/', (name, files) => {
    const configMap = rendered.generated(name);
    expect(configMap.data).toEqual(filesAsData('dependencies', files));
    expect(configMap.binaryData).toBeUndefined();
  });

  it('mounts only ConfigMaps, keys and volumes that exist', () => {
    const configMaps = new Map(rendered.ofKind('ConfigMap').map((o) => [o.metadata.name, o]));
    for (const o of rendered.workloads()) {
      const volumes = new Map((podSpec(o).volumes ?? []).map((v) => [v.name, v]));
      const claims = ((o.spec?.volumeClaimTemplates ?? []) as { metadata: { name: string } }[]).map(
        (t) => t.metadata.name,
      );
      for (const c of containersOf(o)) {
        for (const mount of c.volumeMounts ?? []) {
          const id = `${o.metadata.name}/${c.name}: ${mount.mountPath}`;
          const volume = volumes.get(mount.name);
          if (!volume) {
            expect(claims, id).toContain(mount.name);
            continue;
          }
          if (!volume.configMap) continue;
          const configMap = configMaps.get(volume.configMap.name ?? '');
          expect(configMap, id).toBeDefined();
          if (mount.subPath !== undefined) {
            expect(Object.keys(configMap?.data ?? {}), id).toContain(mount.subPath);
          }
        }
      }
    }
  });

  it('configures TimescaleDB from dependencies/timescaledb and runs the init script', () => {
    const set = rendered.find('StatefulSet', 'timescaledb');
    const db = first(set);
    expect(db.args).toEqual(
      expect.arrayContaining([
        'config_file=/etc/postgresql/postgresql.conf',
        'shared_preload_libraries=timescaledb',
      ]),
    );
    const init = db.volumeMounts?.find((m) => m.mountPath === '/docker-entrypoint-initdb.d');
    const initVolume = (podSpec(set).volumes ?? []).find((v) => v.name === init?.name);
    expect(initVolume?.configMap?.name).toMatch(/^timescaledb-init-/);
    // Executable, or the entrypoint sources the script into its own shell.
    expect((initVolume?.configMap?.defaultMode ?? 0o644) & 0o111).toBe(0o111);
    const dbEnv = new Set((db.env ?? []).map((e) => e.name));
    const initScript = readRepoFile('dependencies/timescaledb/init/001-init.sh');
    for (const name of initScript.match(/\bIOT_DB_[A-Z_]+_PASSWORD\b/g) ?? []) {
      expect(dbEnv, name).toContain(name);
    }
  });

  it("provisions the broker users with compose's script, then joins every quorum queue", () => {
    const command = first(rendered.find('StatefulSet', 'rabbitmq')).lifecycle?.postStart?.exec
      ?.command;
    expect(command?.slice(0, 2)).toEqual(['bash', '-c']);
    const script = command?.[2] ?? '';
    const compose = usersScript(loadCompose());
    expect(script.startsWith(compose)).toBe(true);
    const grow = script.slice(compose.length).trim().split('\n');
    expect(grow[0]).toBe('if rabbitmq-queues -q grow "$RABBITMQ_NODENAME" all --errors-only; then');
    expect(grow.at(-1)).toBe('fi');
  });

  it('runs the migrations Job as the schema owner, re-created by Flux on a new image', () => {
    const job = rendered.find('Job', 'iot-migrate');
    expect(job.metadata.annotations?.['kustomize.toolkit.fluxcd.io/force']).toBe('enabled');
    expect(first(job).command).toEqual(['node', '--import', 'tsx', 'cmd/migrate/main.ts']);
    expect(podSpec(job).restartPolicy).toBe('OnFailure');
  });
});
