// Every command of cmd/ that runs as a server is deployed, in compose and in Kubernetes, and
// the environment each container gets is accepted by the service's own config loader: a
// variable the service requires and nobody sets, a renamed or misspelt one, or a value out of
// its bounds fails here as it would at start-up. And nothing is set that the service does not
// read (a setting that silently does nothing).
import path from 'node:path';
import type { IContainer } from 'kubernetes-models/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  envExampleVariables,
  environmentOf,
  interpolate,
  loadCompose,
  mountsOf,
  platformCommandOf,
} from './compose-file.js';
import {
  OVERLAY,
  PLATFORM_IMAGE,
  Rendered,
  containerNamed,
  containersOf,
  containerEnvironment,
  kustomize,
  podSpec,
  renderable,
  runsPlatformImage,
  type K8sObject,
} from './manifests.js';
import { packageVersion, readRepoFile } from './repo.js';
import {
  SERVICE_CONFIGS,
  loadWith,
  secretPlaceholder,
  serverCommands,
  variablesRead,
} from './service-configs.js';

/** The .env a user makes from .env.example: every empty secret filled (URL-safe). */
function exampleDotEnv(): Record<string, string> {
  return Object.fromEntries(
    [...envExampleVariables()].map(([name, value]) => [
      name,
      value === '' ? secretPlaceholder('dotenv', name) : value,
    ]),
  );
}

const IOT_VARIABLE = /^IOT_/;

/** The platform's own variables of an environment (the image's and Kubernetes' are not). */
const iotVariables = (env: Readonly<Record<string, string>>): string[] =>
  Object.keys(env).filter((name) => IOT_VARIABLE.test(name));

describe('the services in compose.yaml', () => {
  const compose = loadCompose();
  const dotEnv = exampleDotEnv();
  const services = Object.entries(compose.services).flatMap(([name, svc]) => {
    const command = platformCommandOf(svc.command)?.replace(/^cmd\//, '');
    if (command === undefined) return [];
    const env = Object.fromEntries(
      Object.entries(environmentOf(svc)).map(([key, value]) => [key, interpolate(value, dotEnv)]),
    );
    return [{ name, svc, command, env }];
  });

  it('has a config loader for every command it runs, and runs every server of cmd/', () => {
    expect(services.map((s) => s.command).sort()).toEqual([...serverCommands(), 'migrate'].sort());
    expect(Object.keys(SERVICE_CONFIGS).sort()).toEqual([...serverCommands(), 'migrate'].sort());
  });

  it.each(services.map((s) => [s.name, s] as const))(
    '%s: its environment satisfies its own config loader, and all of it is read',
    (_name, { command, env }) => {
      const result = loadWith(command, env);
      expect(result.ok ? 'loaded' : result.message).toBe('loaded');
      const read = variablesRead(command, env);
      expect(iotVariables(env).filter((variable) => !read.has(variable))).toEqual([]);
    },
  );

  it.each(services.map((s) => [s.name, s] as const))(
    '%s: every *_FILE lies in a mounted volume, every *_DIR in a writable one',
    (_name, { svc, env }) => {
      const mounts = mountsOf(svc);
      for (const [variable, value] of Object.entries(env)) {
        const mount = mounts.find((m) => value.startsWith(`${m.target}/`) || value === m.target);
        if (variable.endsWith('_FILE')) expect(mount, `${variable}=${value}`).toBeDefined();
        if (variable.endsWith('_DIR')) expect(mount?.readOnly, `${variable}=${value}`).toBe(false);
      }
    },
  );

  it('fails the loader when a required variable is unset or renamed (controls)', () => {
    const api = services.find((s) => s.command === 'iot-api');
    const { IOT_AMQP_URL: amqpUrl = '', ...withoutAmqp } = api?.env ?? {};
    const unset = loadWith('iot-api', withoutAmqp);
    expect(unset.ok ? '' : unset.message).toMatch(/IOT_AMQP_URL/);
    const renamed = loadWith('iot-api', { ...withoutAmqp, IOT_AMQP_ADDRESS: amqpUrl });
    expect(renamed.ok ? '' : renamed.message).toMatch(/IOT_AMQP_ADDRESS: unknown variable/);
    // And a variable set but not read is noticed: sensor-alarms writes no day files.
    const alarms = services.find((s) => s.command === 'sensor-alarms');
    const env = { ...alarms?.env, IOT_SENSOR_LOG_DIR: '/var/log/iot-sensors' };
    expect(variablesRead('sensor-alarms', env).has('IOT_SENSOR_LOG_DIR')).toBe(false);
  });
});

describe.skipIf(!renderable)(`the services in ${OVERLAY}`, () => {
  let rendered = new Rendered([]);
  beforeAll(() => {
    rendered = new Rendered(kustomize(OVERLAY));
  });

  /** The workload and container that run cmd/<command>. */
  function deployed(command: string): { workload: K8sObject; container: IContainer }[] {
    return rendered.workloads().flatMap((workload) =>
      containersOf(workload)
        .filter((c) =>
          [...(c.command ?? []), ...(c.args ?? [])].some((word) =>
            word.includes(`cmd/${command}/main.ts`),
          ),
        )
        .map((container) => ({ workload, container })),
    );
  }

  const environment = (workload: K8sObject, container: IContainer) =>
    Object.fromEntries(
      containerEnvironment(container, secretPlaceholder, (field) =>
        field === 'metadata.name' ? `${workload.metadata.name}-0` : `<${field}>`,
      ),
    );

  it('deploys every server of cmd/ once, and the migrations as a Job', () => {
    for (const command of serverCommands()) {
      const found = deployed(command);
      expect(
        found.map((d) => d.workload.kind),
        command,
      ).toHaveLength(1);
      expect(['Deployment', 'StatefulSet'], command).toContain(found[0]?.workload.kind);
    }
    expect(deployed('migrate').map((d) => d.workload.kind)).toEqual(['Job']);
  });

  it.each([...Object.keys(SERVICE_CONFIGS)])(
    '%s: its environment satisfies its own config loader, and all of it is read',
    (command) => {
      for (const { workload, container } of deployed(command)) {
        const env = environment(workload, container);
        const result = loadWith(command, env);
        expect(result.ok ? 'loaded' : result.message).toBe('loaded');
        const read = variablesRead(command, env);
        // Secrets set only to be expanded into another variable ($(IOT_DB_APP_PASSWORD) in
        // IOT_DATABASE_URL) are there for that.
        const expanded = new Set(
          (container.env ?? []).flatMap((e) =>
            [...(e.value ?? '').matchAll(/\$\(([A-Za-z_]\w*)\)/g)].map((m) => m[1]),
          ),
        );
        expect(
          iotVariables(env).filter((variable) => !read.has(variable) && !expanded.has(variable)),
        ).toEqual([]);
      }
    },
  );

  it.each([...Object.keys(SERVICE_CONFIGS)])(
    '%s: every *_FILE is a key of a mounted Secret, every *_DIR a writable volume',
    (command) => {
      for (const { workload, container } of deployed(command)) {
        const volumes = podSpec(workload).volumes ?? [];
        for (const [variable, value] of Object.entries(environment(workload, container))) {
          const mount = (container.volumeMounts ?? []).find(
            (m) => value.startsWith(`${m.mountPath}/`) || value === m.mountPath,
          );
          if (variable.endsWith('_FILE')) {
            const volume = volumes.find((v) => v.name === mount?.name);
            const keys = volume?.secret
              ? (volume.secret.items?.map((i) => i.path) ?? ['tls.crt', 'tls.key', 'ca.crt'])
              : [];
            expect(keys, `${variable}=${value}`).toContain(path.basename(value));
          }
          if (variable.endsWith('_DIR')) {
            expect(mount, `${variable}=${value}`).toBeDefined();
            expect(mount?.readOnly ?? false, `${variable}=${value}`).toBe(false);
          }
        }
      }
    },
  );

  it('serves health where the probes look, on every address when the kubelet probes it', () => {
    for (const command of serverCommands()) {
      for (const { workload, container } of deployed(command)) {
        const result = loadWith(command, environment(workload, container));
        if (!result.ok) throw new Error(result.message);
        const config = result.config;
        const port = (config.httpPort ?? config.port) as number;
        const probes = [container.startupProbe, container.readinessProbe, container.livenessProbe];
        for (const probe of probes) {
          const id = `${command} ${JSON.stringify(probe)}`;
          if (probe?.httpGet) {
            const named = container.ports?.find((p) => p.name === probe.httpGet?.port);
            expect(named?.containerPort, id).toBe(port);
            // The kubelet connects to the pod's address.
            expect(config.httpHost ?? config.host, id).toBe('0.0.0.0');
          } else {
            // Inside the container: loopback is enough.
            expect(probe?.exec?.command?.join(' '), id).toMatch(
              new RegExp(`http://127\\.0\\.0\\.1:${port}/(healthz|readyz)`),
            );
          }
        }
        expect(probes.map((p) => JSON.stringify(p)).join(' '), command).toMatch(/\/readyz/);
        expect(probes.map((p) => JSON.stringify(p)).join(' '), command).toMatch(/\/healthz/);
      }
    }
  });

  it('runs broker-auth beside every broker node, before it, where rabbitmq.conf asks', () => {
    const found = deployed('broker-auth');
    expect(found.map((d) => `${d.workload.kind} ${d.workload.metadata.name}`)).toEqual([
      'StatefulSet rabbitmq',
    ]);
    const { workload, container } = found[0] as (typeof found)[number];
    const broker = containerNamed(workload, 'rabbitmq');
    // In the broker's pod, so in its network namespace. A native sidecar: the kubelet starts
    // it and waits for its startup probe before it starts the broker, restarts it on its own,
    // and stops it after the broker.
    expect(podSpec(workload).initContainers?.map((c) => c.name)).toEqual([container.name]);
    expect(container.restartPolicy).toBe('Always');
    expect(container.startupProbe?.httpGet).toBeDefined();
    // It answers on the pod's loopback where rabbitmq.conf's auth_http paths ask.
    const loaded = loadWith('broker-auth', environment(workload, container));
    if (!loaded.ok) throw new Error(loaded.message);
    const { authHost, authPort, httpPort } = loaded.config;
    expect(authHost).toBe('127.0.0.1');
    const conf = readRepoFile('dependencies/rabbitmq/rabbitmq.conf');
    const paths = [...conf.matchAll(/^auth_http\.\w+_path = (\S+)$/gm)].map((m) => m[1] ?? '');
    expect(paths).toHaveLength(4);
    for (const url of paths)
      expect(url.startsWith(`http://127.0.0.1:${String(authPort)}/auth/`)).toBe(true);
    // Neither of its ports is one of the broker's (same network namespace).
    const brokerPorts = (broker.ports ?? []).map((p) => p.containerPort);
    expect(brokerPorts).toContain(15672);
    expect(brokerPorts).not.toContain(authPort);
    expect(brokerPorts).not.toContain(httpPort);
    // The broker reads the chain that puts it to use (advanced.config, from the bytes of
    // dependencies/rabbitmq) and runs the plugins it needs.
    const mountOf = (target: string) => {
      const mount = broker.volumeMounts?.find((m) => m.mountPath === target);
      const volume = (podSpec(workload).volumes ?? []).find((v) => v.name === mount?.name);
      return { configMap: volume?.configMap?.name, key: mount?.subPath };
    };
    expect(mountOf('/etc/rabbitmq/advanced.config')).toEqual({
      configMap: rendered.generated('rabbitmq-config').metadata.name,
      key: 'advanced.config',
    });
    expect(rendered.generated('rabbitmq-config').data?.['advanced.config']).toBe(
      readRepoFile('dependencies/rabbitmq/advanced.config'),
    );
    expect(readRepoFile('dependencies/rabbitmq/advanced.config')).toMatch(
      /rabbit_auth_backend_internal, \[rabbit_auth_backend_internal, rabbit_auth_backend_cache\]/,
    );
    const plugins = mountOf('/etc/rabbitmq/enabled_plugins');
    expect(plugins.configMap).toBe(rendered.generated('rabbitmq-cluster').metadata.name);
    const enabled = rendered.generated('rabbitmq-cluster').data?.[plugins.key ?? ''] ?? '';
    expect(enabled).toContain('rabbitmq_auth_backend_http');
    expect(enabled).toContain('rabbitmq_auth_backend_cache');
  });

  it('runs the image the Dockerfile builds, tagged with the package version, as its user', () => {
    const platform = rendered.workloads().flatMap((w) => containersOf(w).filter(runsPlatformImage));
    expect(platform.length).toBeGreaterThanOrEqual(serverCommands().length + 1);
    for (const c of platform) expect(c.image, c.name).toBe(`${PLATFORM_IMAGE}:${packageVersion()}`);
    // node:20-bookworm-slim's node user is uid 1000; the Dockerfile ends with USER node.
    expect(readRepoFile('Dockerfile')).toMatch(/^FROM node:20-bookworm-slim$[\s\S]*^USER node$/m);
    for (const w of rendered.workloads()) {
      if (!containersOf(w).some(runsPlatformImage)) continue;
      // Its own user where a platform container sets one (broker-auth, in the broker's pod
      // that runs as rabbitmq), else its pod's.
      for (const c of containersOf(w).filter(runsPlatformImage)) {
        expect(
          c.securityContext?.runAsUser ?? podSpec(w).securityContext?.runAsUser,
          `${w.metadata.name}/${c.name}`,
        ).toBe(1000);
      }
      // Else Service iot-api brings IOT_API_SERVICE_HOST, IOT_API_PORT=tcp://..., which the
      // loaders refuse as unknown variables.
      expect(podSpec(w).enableServiceLinks, w.metadata.name).toBe(false);
    }
  });
});
