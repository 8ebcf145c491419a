// Scaling out: the broker as a three-node cluster with every queue (MQTT sessions too) a
// quorum queue; each consumer scaled by KEDA on the depth of exactly the queues its code
// consumes, a prefetch-full per replica; disruption budgets for what runs replicated; the
// simulated fleet named by pod ordinals.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../internal/routing/index.js';
import { fleetSerials } from '../../internal/simulation/index.js';
import {
  OVERLAY,
  Rendered,
  containerEnvironment,
  containerNamed,
  expandKubelet,
  kustomize,
  podLabels,
  renderable,
  type K8sObject,
} from './manifests.js';
import { readRepoFile, repoPath } from './repo.js';
import { loadWith, secretPlaceholder, serverCommands } from './service-configs.js';

/** Consumers that stay at one replica, and why. */
const NOT_SCALED: Record<string, string> = {
  'iot-api': 'holds the live event streams it feeds from the acks it consumes',
  // Its upserts are last-writer-wins, ordered per serial only within one consumer.
  'sensor-registry': 'keeps each serial’s registrations in order',
};

/** The RabbitMQ of the local stack (Debian's rabbitmq-server 3.10), for its config schemas. */
const RABBITMQ_LIB = '/usr/lib/rabbitmq/lib';

function rabbitmqSchemaKeys(): RegExp[] | undefined {
  if (!existsSync(RABBITMQ_LIB)) return undefined;
  const server = readdirSync(RABBITMQ_LIB).find((dir) => dir.startsWith('rabbitmq_server-3.10'));
  if (!server) return undefined;
  const plugins = path.join(RABBITMQ_LIB, server, 'plugins');
  const keys: RegExp[] = [];
  for (const plugin of readdirSync(plugins)) {
    const dir = path.join(plugins, plugin, 'priv/schema');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      const schema = readFileSync(path.join(dir, file), 'utf8');
      for (const [, key] of schema.matchAll(/\{mapping,\s*"([^"]+)"/g)) {
        const pattern = (key ?? '').replace(/\./g, '\\.').replace(/\$\w+/g, '[^.]+');
        keys.push(new RegExp(`^${pattern}$`));
      }
    }
  }
  return keys;
}

const confKeys = (file: string): string[] =>
  readRepoFile(file)
    .split('\n')
    .filter((line) => /^[a-z]/.test(line))
    .map((line) => line.split('=')[0]?.trim() ?? '');

/** A command's own sources (not its tests), as one text. */
const sourcesOf = (command: string): string =>
  readdirSync(repoPath(`cmd/${command}`), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.includes('.test.'))
    .map((file) => readRepoFile(`cmd/${command}/${file}`))
    .join('\n');

/** The queues a service's code consumes: the QUEUES.<x> its cmd/ sources name. */
function queuesConsumedBy(command: string): string[] {
  const names = new Set<string>();
  for (const [, key] of sourcesOf(command).matchAll(/QUEUES\.(\w+)/g)) {
    const queue = (QUEUES as Record<string, string>)[key ?? ''];
    if (queue) names.add(queue);
  }
  return [...names].sort();
}

const consumers = () => serverCommands().filter((c) => sourcesOf(c).includes('Consumer.start('));

interface Trigger {
  type: string;
  metadata: Record<string, string>;
  authenticationRef?: { name: string };
}

describe('the broker cluster configuration', () => {
  it('declares every queue of definitions.json as a quorum queue', () => {
    const definitions = JSON.parse(readRepoFile('dependencies/rabbitmq/definitions.json')) as {
      queues: { name: string; arguments: Record<string, unknown> }[];
    };
    expect(definitions.queues.length).toBeGreaterThan(0);
    for (const queue of definitions.queues) {
      expect(queue.arguments['x-queue-type'], queue.name).toBe('quorum');
    }
  });

  it('keeps MQTT sessions in quorum queues and a minority paused', () => {
    const conf = readRepoFile('k8s/base/rabbitmq/cluster.conf');
    expect(conf).toMatch(/^mqtt\.durable_queue_type = quorum$/m);
    expect(conf).toMatch(/^cluster_partition_handling = pause_minority$/m);
    expect(readRepoFile('k8s/base/rabbitmq/enabled_plugins')).toBe(
      readRepoFile('dependencies/rabbitmq/enabled_plugins').replace(
        /\]\.\n$/,
        ',rabbitmq_peer_discovery_k8s].\n',
      ),
    );
  });

  const schema = rabbitmqSchemaKeys();
  it.skipIf(schema === undefined && process.env.CI === undefined)(
    'uses only keys RabbitMQ 3.10 knows, in cluster.conf and mqtt-tls.conf',
    () => {
      for (const file of ['k8s/base/rabbitmq/cluster.conf', 'k8s/base/rabbitmq/mqtt-tls.conf']) {
        for (const key of confKeys(file)) {
          expect(
            (schema ?? []).some((pattern) => pattern.test(key)),
            `${file}: ${key}`,
          ).toBe(true);
        }
      }
      // Control: a misspelt key is not in the schemas.
      expect((schema ?? []).some((p) => p.test('mqtt.durable_queue_typ'))).toBe(false);
    },
  );
});

describe.skipIf(!renderable)('scaling in Kubernetes', () => {
  let rendered = new Rendered([]);
  beforeAll(() => {
    rendered = new Rendered(kustomize(OVERLAY));
  });
  const pdbFor = (workload: K8sObject) =>
    rendered.ofKind('PodDisruptionBudget').filter((pdb) => {
      const selector = (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector;
      return Object.entries(selector.matchLabels).every(([k, v]) => podLabels(workload)[k] === v);
    });

  it('runs three broker nodes that find each other through the headless Service', () => {
    const set = rendered.find('StatefulSet', 'rabbitmq');
    const spec = set.spec as { replicas: number; serviceName: string };
    expect(spec.replicas).toBe(3);
    const conf = readRepoFile('k8s/base/rabbitmq/cluster.conf');
    expect(conf).toContain(`cluster_formation.k8s.service_name = ${spec.serviceName}`);
    const suffix = `.${spec.serviceName}.iot.svc.cluster.local`;
    expect(conf).toContain(`cluster_formation.k8s.hostname_suffix = ${suffix}`);
    const env = containerEnvironment(
      containerNamed(set, 'rabbitmq'),
      secretPlaceholder,
      () => 'rabbitmq-1',
    );
    expect(env.get('RABBITMQ_USE_LONGNAME')).toBe('true');
    expect(env.get('RABBITMQ_NODENAME')).toBe(`rabbit@rabbitmq-1${suffix}`);
    const headless = rendered.find('Service', spec.serviceName).spec as {
      clusterIP: string;
      publishNotReadyAddresses: boolean;
    };
    expect(headless).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    // Peer discovery may read the endpoints, and nothing more.
    const role = rendered.find('Role', 'rabbitmq-peer-discovery') as unknown as {
      rules: { resources: string[]; verbs: string[] }[];
    };
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['endpoints'], verbs: ['get'] }]);
    const binding = rendered.find('RoleBinding', 'rabbitmq-peer-discovery') as unknown as {
      subjects: { name: string }[];
    };
    expect(binding.subjects.map((s) => s.name)).toEqual([
      (set.spec as { template: { spec: { serviceAccountName: string } } }).template.spec
        .serviceAccountName,
    ]);
    expect(pdbFor(set).map((p) => (p.spec as { maxUnavailable: number }).maxUnavailable)).toEqual([
      1,
    ]);
  });

  it.each(consumers().filter((c) => !(c in NOT_SCALED)))(
    '%s scales on exactly the queues it consumes, a prefetch-full per replica',
    (command) => {
      const workload = rendered.workload(command);
      expect(workload.kind).toBe('Deployment');
      // KEDA owns the replica count.
      expect((workload.spec as { replicas?: number }).replicas).toBeUndefined();
      const scaled = rendered
        .ofKind('ScaledObject')
        .filter(
          (o) =>
            (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name ===
            workload.metadata.name,
        );
      expect(scaled).toHaveLength(1);
      const spec = scaled[0]?.spec as {
        minReplicaCount: number;
        maxReplicaCount: number;
        triggers: Trigger[];
      };
      expect(spec.minReplicaCount).toBeGreaterThanOrEqual(2);
      expect(spec.maxReplicaCount).toBeGreaterThan(spec.minReplicaCount);
      expect(spec.triggers.map((t) => t.metadata.queueName).sort()).toEqual(
        queuesConsumedBy(command),
      );
      // The prefetch the service runs with: its config's, or main.ts's own constant.
      const env = Object.fromEntries(
        containerEnvironment(containerNamed(workload, command), secretPlaceholder),
      );
      const loaded = loadWith(command, env);
      const prefetch = loaded.ok
        ? (loaded.config.prefetch ??
          Number(/prefetch: (\d+)/.exec(readRepoFile(`cmd/${command}/main.ts`))?.[1]))
        : undefined;
      for (const trigger of spec.triggers) {
        expect(trigger.type).toBe('rabbitmq');
        expect(trigger.metadata).toMatchObject({ protocol: 'amqp', mode: 'QueueLength' });
        expect(Number(trigger.metadata.value)).toBe(prefetch);
        const auth = rendered.find('TriggerAuthentication', trigger.authenticationRef?.name ?? '');
        expect(auth.spec?.secretTargetRef).toEqual([
          { parameter: 'host', name: 'iot-keda-secrets', key: 'host' },
        ]);
      }
      expect(
        pdbFor(workload).map((p) => (p.spec as { maxUnavailable: number }).maxUnavailable),
      ).toEqual([1]);
    },
  );

  it('keeps the consumers it does not scale at one replica, with no ScaledObject', () => {
    const targets = rendered
      .ofKind('ScaledObject')
      .map((o) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name);
    for (const command of Object.keys(NOT_SCALED)) {
      expect(consumers()).toContain(command);
      expect((rendered.workload(command).spec as { replicas: number }).replicas).toBe(1);
      expect(targets).not.toContain(rendered.workload(command).metadata.name);
    }
  });

  describe('the simulated fleet', () => {
    let bin = '';
    beforeAll(() => {
      // A stand-in node that prints its arguments: the shell line runs as the pod would run it.
      bin = mkdtempSync(path.join(tmpdir(), 'iot-deploy-'));
      writeFileSync(path.join(bin, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
      chmodSync(path.join(bin, 'node'), 0o755);
    });
    afterAll(() => rmSync(bin, { recursive: true, force: true }));

    it('names each pod’s sensor after its ordinal, as fleetSerials names a fleet', () => {
      const set = rendered.find('StatefulSet', 'sensor-simulation');
      const replicas = (set.spec as { replicas: number }).replicas;
      const container = containerNamed(set, 'sensor-simulation');
      const serials: string[] = [];
      for (let ordinal = 0; ordinal < replicas; ordinal++) {
        const podName = `${set.metadata.name}-${ordinal}`;
        const env = containerEnvironment(container, secretPlaceholder, () => podName);
        const [shell = '', ...args] = (container.command ?? []).map((word) =>
          expandKubelet(word, env),
        );
        const out = execFileSync(shell, args, {
          encoding: 'utf8',
          env: { ...Object.fromEntries(env), PATH: `${bin}:${process.env.PATH ?? ''}` },
        }).split('\n');
        expect(out.slice(0, 4)).toEqual([
          '--import',
          'tsx',
          'cmd/sensor-simulation/main.ts',
          '--provision',
        ]);
        const sensor = out[out.indexOf('--sensor') + 1] ?? '';
        const [serial = '', hz] = sensor.split(':');
        expect(hz).toBe('1000');
        serials.push(serial);
        const loaded = loadWith('sensor-simulation', Object.fromEntries(env));
        expect(loaded.ok && serial.startsWith(`${String(loaded.config.serialPrefix)}-`)).toBe(true);
      }
      expect(serials).toEqual(fleetSerials('SIM', replicas));
      expect(pdbFor(set)).toHaveLength(1);
    });
  });
});
