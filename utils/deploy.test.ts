// The deployment descriptions (compose.yaml, Dockerfile, k8s/), checked without Docker or a
// cluster: the files parse, they mount and generate from the one set of files under
// dependencies/, every secret comes from outside the repository, and `kubectl kustomize`
// renders what the platform needs.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { KNOWN_VARIABLES } from '../internal/config/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

// ---- compose.yaml ----

type Scalar = string | number | boolean | null;

interface ComposeService {
  image?: string;
  hostname?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, Scalar> | string[];
  volumes?: (string | { type?: string; source?: string; target?: string; read_only?: boolean })[];
  ports?: (string | number | { target?: number; published?: string | number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  user?: string;
}

interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

const compose = parse(read('compose.yaml')) as Compose;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`compose.yaml has no service ${name}`);
  return found;
}

function mountsOf(svc: ComposeService): Mount[] {
  return (svc.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') {
      return {
        source: volume.source ?? '',
        target: volume.target ?? '',
        readOnly: volume.read_only === true,
      };
    }
    const [source = '', target = '', mode = ''] = volume.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

const isBindMount = (mount: Mount): boolean => /^[./~]/.test(mount.source);

function environmentOf(svc: ComposeService): Record<string, string> {
  const env = svc.environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((line): [string, string] => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(env).map(([key, value]): [string, string] => [key, String(value ?? '')]);
  return Object.fromEntries(entries);
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Variables compose interpolates in a value: `${VAR...}` and `$VAR`, not the `$$` escape. */
function interpolatedVariables(value: string): string[] {
  const names: string[] = [];
  for (const match of value.matchAll(/\$\$|\$\{([A-Za-z_]\w*)[^}]*\}|\$([A-Za-z_]\w*)/g)) {
    const name = match[1] ?? match[2];
    if (name !== undefined) names.push(name);
  }
  return names;
}

function envExampleVariables(): Map<string, string> {
  const variables = new Map<string, string>();
  for (const line of read('.env.example').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined) variables.set(match[1], match[2] ?? '');
  }
  return variables;
}

const SECRET_NAME = /PASSWORD|SECRET|COOKIE|TOKEN/;
const REQUIRED_REFERENCE = /^\$\{[A-Z_][A-Z0-9_]*:\?[^}]*\}$/;
const KNOWN = new Set<string>(KNOWN_VARIABLES);

/** `cmd/<name>/main.ts` when the command runs one of the platform's commands. */
function platformCommandOf(command: string | string[] | undefined): string | undefined {
  const words = typeof command === 'string' ? command.split(/\s+/) : (command ?? []);
  return words.find((word) => /^cmd\/[a-z-]+\/main\.ts$/.test(word));
}

/** The one named-volume mount of a service at a directory holding the given file. */
function mountHolding(svc: ComposeService, file: string): Mount | undefined {
  return mountsOf(svc).find((mount) => path.posix.dirname(file) === mount.target);
}

/** The user-provisioning script, as the shell sees it (compose escapes `$` as `$$`). */
function composeUsersScript(): string {
  const command = service('rabbitmq-users').command;
  if (!Array.isArray(command) || command[0] !== 'bash' || command[1] !== '-c') {
    throw new Error('rabbitmq-users must run ["bash", "-c", <script>]');
  }
  return (command[2] ?? '').replaceAll('$$', '$');
}

describe('compose.yaml', () => {
  it('defines the infrastructure and the migrations', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['rabbitmq', 'rabbitmq-users', 'timescaledb', 'migrate']),
    );
    expect(service('rabbitmq').image).toBe('rabbitmq:3.10-management');
    expect(service('rabbitmq-users').image).toBe('rabbitmq:3.10-management');
    expect(service('timescaledb').image).toBe('timescale/timescaledb-ha:pg15');
  });

  it('mounts exactly the three dependencies/rabbitmq files into the broker, read-only', () => {
    const binds = mountsOf(service('rabbitmq')).filter(isBindMount);
    expect(binds).toEqual(
      ['rabbitmq.conf', 'enabled_plugins', 'definitions.json'].map((file) => ({
        source: `./dependencies/rabbitmq/${file}`,
        target: `/etc/rabbitmq/${file}`,
        readOnly: true,
      })),
    );
  });

  it('mounts the init directory and postgresql.conf into the database and preloads TimescaleDB', () => {
    const binds = mountsOf(service('timescaledb')).filter(isBindMount);
    expect(binds).toContainEqual({
      source: './dependencies/timescaledb/init',
      target: '/docker-entrypoint-initdb.d',
      readOnly: true,
    });
    expect(binds).toContainEqual({
      source: './dependencies/timescaledb/postgresql.conf',
      target: '/etc/postgresql/postgresql.conf',
      readOnly: true,
    });
    const command = service('timescaledb').command;
    expect(command).toEqual(
      expect.arrayContaining([
        'config_file=/etc/postgresql/postgresql.conf',
        'shared_preload_libraries=timescaledb',
      ]),
    );
  });

  it('mounts only host files that exist, and declares its named volumes', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const mount of mountsOf(svc)) {
        if (isBindMount(mount)) {
          expect(existsSync(path.join(root, mount.source)), `${name}: ${mount.source}`).toBe(true);
        } else {
          expect(Object.keys(compose.volumes ?? {}), `${name}: ${mount.source}`).toContain(
            mount.source,
          );
        }
      }
    }
  });

  it('has executable init scripts (the image sources the others into its entrypoint)', () => {
    const dir = path.join(root, 'dependencies/timescaledb/init');
    const scripts = readdirSync(dir).filter((file) => file.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      expect(() => accessSync(path.join(dir, script), constants.X_OK), script).not.toThrow();
    }
  });

  it('documents in .env.example every variable it uses, and only those', () => {
    const used = new Set(stringsIn(compose).flatMap(interpolatedVariables));
    const documented = envExampleVariables();
    expect([...used].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented.keys()].filter((name) => !used.has(name))).toEqual([]);
  });

  it('keeps every secret out of the repository', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(environmentOf(svc))) {
        if (SECRET_NAME.test(key)) expect(value, `${name}: ${key}`).toMatch(REQUIRED_REFERENCE);
        for (const match of value.matchAll(/\/\/[^:/@\s]+:([^@\s]*)@/g)) {
          expect(match[1], `${name}: ${key}`).toMatch(REQUIRED_REFERENCE);
        }
      }
    }
    for (const [name, value] of envExampleVariables()) {
      if (SECRET_NAME.test(name)) expect(value, `.env.example: ${name}`).toBe('');
    }
  });

  it('publishes every port through an overridable variable (MQTT is not wired to 1883)', () => {
    const ports = Object.values(compose.services).flatMap((svc) => svc.ports ?? []);
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) {
      // [ip:]host:container, where host is ${VAR:-default}
      expect(typeof port === 'string' ? port : JSON.stringify(port)).toMatch(
        /^(\d+\.\d+\.\d+\.\d+:)?\$\{[A-Z_][A-Z0-9_]*:-\d+\}:\d+$/,
      );
    }
    expect(service('rabbitmq').ports).toContainEqual(expect.stringMatching(/:1883$/));
  });

  it('builds from a Dockerfile that exists and runs as node', () => {
    const built = Object.entries(compose.services).filter(([, svc]) => svc.build !== undefined);
    expect(built.map(([name]) => name)).toContain('migrate');
    for (const [name, svc] of built) {
      const build = typeof svc.build === 'string' ? { context: svc.build } : (svc.build ?? {});
      const dockerfile = path.join(root, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
    }
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(service('migrate').command).toEqual(['npx', 'tsx', 'cmd/migrate/main.ts']);
    expect(existsSync(path.join(root, 'cmd/migrate/main.ts'))).toBe(true);
  });

  it('keeps local state and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', '.stack', '.git', 'bench/results', '.env']),
    );
  });

  it('depends only on services that exist, with conditions compose knows', () => {
    const conditions = ['service_started', 'service_healthy', 'service_completed_successfully'];
    for (const [name, svc] of Object.entries(compose.services)) {
      const dependsOn = svc.depends_on ?? [];
      const targets = Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
      for (const target of targets) {
        expect(Object.keys(compose.services), `${name} -> ${target}`).toContain(target);
        const condition = Array.isArray(dependsOn) ? undefined : dependsOn[target]?.condition;
        if (condition === 'service_healthy') {
          expect(service(target).healthcheck?.test, `${target} healthcheck`).toBeDefined();
        }
        if (condition !== undefined) expect(conditions).toContain(condition);
      }
    }
    expect(service('migrate').depends_on).toEqual({
      timescaledb: { condition: 'service_healthy' },
    });
  });

  it('runs iot-api from the platform image, on HTTPS port 8443 published through IOT_API_PORT', () => {
    const api = service('iot-api');
    expect(api.image).toBe(service('migrate').image);
    expect(api.command).toEqual(['node', '--import', 'tsx', 'cmd/iot-api/main.ts']);
    expect(existsSync(path.join(root, 'cmd/iot-api/API.md'))).toBe(true);
    const env = environmentOf(api);
    expect(env.IOT_API_PORT).toBe('8443');
    expect(env.IOT_API_HOST).toBe('0.0.0.0');
    expect(api.ports).toEqual(['${IOT_API_PORT:-8443}:8443']);
    expect(env.IOT_HTTP_PORT, 'no separate plain-HTTP port').toBeUndefined();
    expect(env.IOT_AMQP_URL).toMatch(/^amqp:\/\/iot-services:\$\{[^}]+\}@rabbitmq:5672\/%2F$/);
    expect(env.IOT_DATABASE_URL).toMatch(
      /^postgres:\/\/iot_app:\$\{[^}]+\}@timescaledb:5432\/iot$/,
    );
  });

  it('checks iot-api is healthy over HTTPS on /healthz', () => {
    const test = service('iot-api').healthcheck?.test;
    expect(Array.isArray(test) ? test[0] : test).toBe('CMD');
    const probe = stringsIn(test).join(' ');
    expect(probe).toMatch(/\bhttps\b/);
    expect(probe).toContain("path: '/healthz'");
    expect(probe).toContain('port: 8443');
    // The image has no curl: node is the only client in it.
    expect(Array.isArray(test) ? test[1] : '').toBe('node');
  });

  it('starts iot-api after the broker users, the migrations and its certificate', () => {
    expect(service('iot-api').depends_on).toEqual({
      rabbitmq: { condition: 'service_healthy' },
      timescaledb: { condition: 'service_healthy' },
      'rabbitmq-users': { condition: 'service_completed_successfully' },
      migrate: { condition: 'service_completed_successfully' },
      'iot-api-tls': { condition: 'service_completed_successfully' },
    });
  });

  it("gives iot-api a certificate and key from a volume made by iot-api-tls, never the CA's key", () => {
    const api = service('iot-api');
    const env = environmentOf(api);
    const certMount = mountHolding(api, env.IOT_TLS_CERT_FILE ?? '');
    expect(certMount, 'IOT_TLS_CERT_FILE lies in a mounted volume').toBeDefined();
    expect(mountHolding(api, env.IOT_TLS_KEY_FILE ?? '')).toEqual(certMount);
    expect(certMount?.readOnly).toBe(true);
    expect(isBindMount(certMount as Mount), 'a named volume, not a file of the checkout').toBe(
      false,
    );
    expect(mountsOf(api)).toEqual([certMount]);

    // The one-shot writes that volume, with the script the local stack uses.
    const tls = service('iot-api-tls');
    expect(tls.image).toBe(api.image);
    const tlsMounts = mountsOf(tls);
    const written = tlsMounts.find((m) => m.source === certMount?.source);
    expect(written?.readOnly).toBe(false);
    const script = stringsIn(tls.command).join('\n').replaceAll('$$', '$');
    const scripts = tlsMounts.find((m) => m.source === './dependencies/tls');
    expect(scripts?.readOnly).toBe(true);
    expect(script).toContain(`${scripts?.target ?? '?'}/make-certs.sh`);
    // Copies the files IOT_TLS_CERT_FILE and IOT_TLS_KEY_FILE name into that volume; the key
    // for node (the API's user) alone.
    const installs = script.split('\n').filter((line) => /^\s*install /.test(line));
    const installed = (file: string) =>
      installs.find(
        (line) => line.includes(`/${file} `) && line.trimEnd().endsWith(` ${written?.target}/`),
      ) ?? '';
    expect(installed(path.basename(env.IOT_TLS_CERT_FILE ?? '?'))).toMatch(/ -o node /);
    expect(installed(path.basename(env.IOT_TLS_KEY_FILE ?? '?'))).toMatch(/ -o node .*-m 0400 /);
    // The CA's key stays in a volume that only the one-shot mounts.
    expect(script).not.toMatch(/ca-key\.pem/);
    const caVolume = tlsMounts.find((m) => m !== written && !isBindMount(m));
    expect(caVolume, 'the CA volume').toBeDefined();
    for (const [name, svc] of Object.entries(compose.services)) {
      if (name === 'iot-api-tls') continue;
      expect(
        mountsOf(svc).map((m) => m.source),
        name,
      ).not.toContain(caVolume?.source);
    }
    // For this machine and for the other containers.
    expect(environmentOf(tls).IOT_API_TLS_SANS).toBe(
      '${IOT_API_TLS_SANS:-DNS:localhost IP:127.0.0.1 IP:::1 DNS:iot-api}',
    );
    expect(read('Dockerfile')).toMatch(/apt-get install[^\n]*\bopenssl\b/);
  });

  it('takes the JWT secret and the admin password of iot-api from .env', () => {
    const env = environmentOf(service('iot-api'));
    expect(env.IOT_JWT_SECRET).toMatch(/^\$\{IOT_JWT_SECRET:\?[^}]*\}$/);
    expect(env.IOT_ADMIN_PASSWORD).toMatch(/^\$\{IOT_ADMIN_PASSWORD:\?[^}]*\}$/);
    expect(env.IOT_ADMIN_USERNAME).toBe('${IOT_ADMIN_USERNAME:-admin}');
    const example = envExampleVariables();
    expect(example.get('IOT_JWT_SECRET')).toBe('');
    expect(example.get('IOT_ADMIN_PASSWORD')).toBe('');
    expect(read('.gitignore').split('\n')).toContain('.env');
  });

  it('gives the platform commands only IOT_* variables they know', () => {
    const commands = Object.entries(compose.services).filter(
      ([, svc]) => platformCommandOf(svc.command) !== undefined,
    );
    expect(commands.map(([name]) => name)).toEqual(expect.arrayContaining(['migrate', 'iot-api']));
    for (const [name, svc] of commands) {
      for (const key of Object.keys(environmentOf(svc)).filter((k) => k.startsWith('IOT_'))) {
        expect(KNOWN.has(key), `${name}: ${key}`).toBe(true);
      }
    }
  });

  it('creates the broker users from the environment', () => {
    const script = composeUsersScript();
    expect(script).toContain('ensure_user iot-admin "$IOT_RABBITMQ_ADMIN_PASSWORD"');
    expect(script).toContain('ensure_user iot-services "$IOT_RABBITMQ_SERVICES_PASSWORD"');
    const env = environmentOf(service('rabbitmq-users'));
    expect(env.RABBITMQ_NODENAME).toBe(`rabbit@${service('rabbitmq').hostname ?? ''}`);
    expect(env.RABBITMQ_ERLANG_COOKIE).toBe(
      environmentOf(service('rabbitmq')).RABBITMQ_ERLANG_COOKIE,
    );
  });
});

// ---- Kubernetes ----

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }[];
  envFrom?: { secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { postStart?: { exec?: { command?: string[] } } };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
}

interface Probe {
  httpGet?: { scheme?: string; path?: string; port?: number | string };
  exec?: { command?: string[] };
}

interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  enableServiceLinks?: boolean;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type?: string };
  };
  volumes?: {
    name: string;
    configMap?: { name: string; defaultMode?: number };
    secret?: { secretName: string; defaultMode?: number };
  }[];
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  spec?: {
    serviceName?: string;
    clusterIP?: string;
    type?: string;
    selector?: Record<string, string>; // a Service's (a workload's has matchLabels)
    ports?: { name?: string; port: number; targetPort?: number | string }[];
    template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
    volumeClaimTemplates?: { metadata: { name: string } }[];
    path?: string;
    sourceRef?: { kind: string; name: string };
  };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  stringData?: Record<string, string>;
}

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Without kubectl a developer machine skips these; CI (CI set) must have it and fails.
const renderable = kubectlAvailable() || process.env.CI !== undefined;

function render(): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', 'k8s/overlays/homelab'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out).map((doc) => doc.toJS() as K8sObject);
}

const WORKLOADS = ['StatefulSet', 'Deployment', 'DaemonSet', 'Job'];
const CLUSTER_SCOPED = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass'];

describe.skipIf(!renderable)('kubectl kustomize k8s/overlays/homelab', () => {
  // In beforeAll, so a kustomize error fails these tests and leaves the compose ones alone.
  let objects: K8sObject[] = [];
  beforeAll(() => {
    objects = render();
  });
  const find = (kind: string, name: string): K8sObject => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name} rendered`);
    return found;
  };
  const generated = (name: string): K8sObject => {
    const found = objects.filter(
      (o) => o.kind === 'ConfigMap' && new RegExp(`^${name}-[a-z0-9]{10}$`).test(o.metadata.name),
    );
    expect(found, `ConfigMap ${name}-<hash>`).toHaveLength(1);
    return found[0] as K8sObject;
  };
  const workloads = (): K8sObject[] => objects.filter((o) => WORKLOADS.includes(o.kind));
  const podSpec = (o: K8sObject): PodSpec => {
    if (!o.spec?.template) throw new Error(`${o.kind} ${o.metadata.name} has no pod template`);
    return o.spec.template.spec;
  };
  const containersOf = (o: K8sObject): Container[] => [
    ...(podSpec(o).initContainers ?? []),
    ...podSpec(o).containers,
  ];
  const container = (kind: string, name: string): Container => {
    const found = podSpec(find(kind, name)).containers[0];
    if (!found) throw new Error(`${kind} ${name} has no container`);
    return found;
  };

  it('puts everything in namespace iot, labelled as part of the platform', () => {
    expect(find('Namespace', 'iot')).toBeDefined();
    for (const o of objects) {
      const id = `${o.kind} ${o.metadata.name}`;
      if (!CLUSTER_SCOPED.includes(o.kind)) expect(o.metadata.namespace, id).toBe('iot');
      expect(o.metadata.labels?.['app.kubernetes.io/part-of'], id).toBe('iot-platform');
      expect(o.metadata.labels?.['app.kubernetes.io/name'], id).toBeTruthy();
    }
    for (const o of workloads()) {
      const labels = o.spec?.template?.metadata?.labels ?? {};
      expect(labels['app.kubernetes.io/name'], o.metadata.name).toBeTruthy();
      expect(labels['app.kubernetes.io/part-of'], o.metadata.name).toBe('iot-platform');
    }
  });

  it.each([
    ['rabbitmq', 'rabbitmq:3.10-management'],
    ['timescaledb', 'timescale/timescaledb-ha:pg15'],
  ])('runs StatefulSet %s (%s) behind its headless Service', (name, image) => {
    const set = find('StatefulSet', name);
    expect(container('StatefulSet', name).image).toBe(image);
    expect(set.spec?.volumeClaimTemplates?.map((t) => t.metadata.name)).toEqual(['data']);
    const headless = find('Service', set.spec?.serviceName ?? '');
    expect(headless.spec?.clusterIP).toBe('None');
  });

  it.each([
    ['rabbitmq', { amqp: 5672, mqtt: 1883, management: 15672, prometheus: 15692 }, 'StatefulSet'],
    [
      'rabbitmq-headless',
      { amqp: 5672, mqtt: 1883, management: 15672, prometheus: 15692 },
      'StatefulSet',
    ],
    ['timescaledb', { postgres: 5432 }, 'StatefulSet'],
    ['timescaledb-headless', { postgres: 5432 }, 'StatefulSet'],
    ['iot-api', { https: 443 }, 'Deployment'],
    ['iot-api-lan', { https: 443 }, 'Deployment'],
  ])('exposes Service %s on its ports, to pods that have them', (name, expected, kind) => {
    const svc = find('Service', name);
    const ports = Object.fromEntries(
      (svc.spec?.ports ?? []).map((p): [string, number] => [p.name ?? '', p.port]),
    );
    expect(ports).toMatchObject(expected);
    const selector = svc.spec?.selector ?? {};
    const backends = workloads().filter((o) =>
      Object.entries(selector).every(([k, v]) => o.spec?.template?.metadata?.labels?.[k] === v),
    );
    expect(backends.map((o) => o.kind)).toEqual([kind]);
    const named = new Set(
      containersOf(backends[0] as K8sObject)
        .flatMap((c) => c.ports ?? [])
        .map((p) => p.name),
    );
    for (const port of svc.spec?.ports ?? []) {
      if (typeof port.targetPort === 'string') expect(named, name).toContain(port.targetPort);
    }
  });

  it('runs the iot-api Deployment with the built image, serving HTTPS on 8443', () => {
    const api = container('Deployment', 'iot-api');
    expect(api.image).toBe(container('Job', 'iot-migrate').image);
    expect(api.command).toEqual(['node', '--import', 'tsx', 'cmd/iot-api/main.ts']);
    expect(api.ports).toEqual([{ name: 'https', containerPort: 8443 }]);
    const env = Object.fromEntries((api.env ?? []).map((e) => [e.name, e.value]));
    expect(env.IOT_API_PORT).toBe('8443');
    expect(env.IOT_API_HOST).toBe('0.0.0.0');
    expect(env.IOT_AMQP_URL).toBe(
      'amqp://iot-services:$(IOT_RABBITMQ_SERVICES_PASSWORD)@rabbitmq:5672/%2F',
    );
    expect(env.IOT_DATABASE_URL).toBe(
      'postgres://iot_app:$(IOT_DB_APP_PASSWORD)@timescaledb:5432/iot',
    );
    const service = find('Service', 'iot-api');
    expect(service.spec?.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(service.spec?.ports).toEqual([{ name: 'https', port: 443, targetPort: 'https' }]);
    expect(find('Service', 'iot-api-lan').spec?.type).toBe('LoadBalancer');
  });

  it('probes iot-api over HTTPS: /healthz for liveness, /readyz for readiness', () => {
    const api = container('Deployment', 'iot-api');
    const https = (probePath: string) => ({ scheme: 'HTTPS', path: probePath, port: 'https' });
    expect(api.livenessProbe?.httpGet).toEqual(https('/healthz'));
    expect(api.readinessProbe?.httpGet).toEqual(https('/readyz'));
    expect(api.startupProbe?.httpGet).toEqual(https('/healthz'));
  });

  it('gives iot-api its certificate and key from the kubernetes.io/tls Secret iot-api-tls', () => {
    const api = container('Deployment', 'iot-api');
    const volumes = podSpec(find('Deployment', 'iot-api')).volumes ?? [];
    const tls = volumes.find((v) => v.secret?.secretName === 'iot-api-tls');
    expect(tls, 'a volume from Secret iot-api-tls').toBeDefined();
    const mount = api.volumeMounts?.find((m) => m.name === tls?.name);
    expect(mount?.readOnly).toBe(true);
    const env = Object.fromEntries((api.env ?? []).map((e) => [e.name, e.value]));
    // The keys of a kubernetes.io/tls Secret.
    expect(env.IOT_TLS_CERT_FILE).toBe(`${mount?.mountPath}/tls.crt`);
    expect(env.IOT_TLS_KEY_FILE).toBe(`${mount?.mountPath}/tls.key`);
    // Not world-readable; the pod's fsGroup lets node read it.
    expect((tls?.secret?.defaultMode ?? 0o644) & 0o007).toBe(0);
    expect(read('k8s/README.md')).toMatch(
      /kubectl -n iot create secret tls iot-api-tls \\\n\s*--cert=\S+ --key=\S+/,
    );
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('takes the JWT secret and the admin password of iot-api from Secret iot-api-secrets', () => {
    const env = container('Deployment', 'iot-api').env ?? [];
    for (const key of ['IOT_JWT_SECRET', 'IOT_ADMIN_PASSWORD']) {
      expect(env.find((e) => e.name === key)?.valueFrom?.secretKeyRef, key).toEqual({
        name: 'iot-api-secrets',
        key,
      });
    }
  });

  it('expands $(VAR) in env values only from variables defined before them', () => {
    for (const o of workloads()) {
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

  it('keeps Service links out of the platform pods, and gives them only IOT_* variables they know', () => {
    const platform = workloads().filter((o) =>
      containersOf(o).some((c) => c.image?.startsWith('ghcr.io/iot-platform/iot:')),
    );
    expect(platform.map((o) => o.metadata.name)).toEqual(
      expect.arrayContaining(['iot-migrate', 'iot-api']),
    );
    for (const o of platform) {
      // Else Service iot-api brings IOT_API_SERVICE_HOST, IOT_API_PORT=tcp://..., etc.
      expect(podSpec(o).enableServiceLinks, o.metadata.name).toBe(false);
      for (const c of containersOf(o)) {
        for (const e of (c.env ?? []).filter((x) => x.name.startsWith('IOT_'))) {
          expect(KNOWN.has(e.name), `${c.name}: ${e.name}`).toBe(true);
        }
      }
    }
  });

  it('runs every pod as non-root and every container without privileges', () => {
    for (const o of workloads()) {
      const pod = podSpec(o);
      expect(pod.securityContext?.runAsNonRoot, o.metadata.name).toBe(true);
      expect(pod.securityContext?.seccompProfile?.type, o.metadata.name).toBe('RuntimeDefault');
      for (const c of containersOf(o)) {
        expect(c.securityContext?.allowPrivilegeEscalation, c.name).toBe(false);
        expect(c.securityContext?.capabilities?.drop, c.name).toEqual(['ALL']);
      }
    }
  });

  it('runs the migrations Job with the built image as the schema owner', () => {
    const migrate = container('Job', 'iot-migrate');
    expect(migrate.image).toMatch(/^ghcr\.io\/iot-platform\/iot:/);
    expect(migrate.image).not.toMatch(/:latest$/);
    expect(migrate.command).toEqual(['npx', 'tsx', 'cmd/migrate/main.ts']);
    const env = migrate.env ?? [];
    const url = env.find((e) => e.name === 'IOT_DATABASE_OWNER_URL')?.value ?? '';
    expect(url).toBe('postgres://iot:$(IOT_DB_OWNER_PASSWORD)@timescaledb:5432/iot');
    // $(VAR) only expands to variables defined earlier in the list.
    const passwordAt = env.findIndex((e) => e.name === 'IOT_DB_OWNER_PASSWORD');
    expect(passwordAt).toBeGreaterThanOrEqual(0);
    expect(passwordAt).toBeLessThan(env.findIndex((e) => e.name === 'IOT_DATABASE_OWNER_URL'));
  });

  it.each([
    [
      'rabbitmq-config',
      ['rabbitmq/rabbitmq.conf', 'rabbitmq/enabled_plugins', 'rabbitmq/definitions.json'],
    ],
    ['timescaledb-config', ['timescaledb/postgresql.conf']],
    ['timescaledb-init', ['timescaledb/init/001-init.sh']],
  ])('generates ConfigMap %s from the bytes of dependencies/', (name, files) => {
    const configMap = generated(name);
    const expected = Object.fromEntries(
      files.map((file) => [path.basename(file), read(path.join('dependencies', file))]),
    );
    expect(configMap.data).toEqual(expected);
    expect(configMap.binaryData).toBeUndefined();
  });

  it('mounts only ConfigMaps and keys that were rendered', () => {
    const configMaps = new Map(
      objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]),
    );
    for (const o of workloads()) {
      const volumes = new Map((podSpec(o).volumes ?? []).map((v) => [v.name, v]));
      const claims = (o.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata.name);
      for (const c of containersOf(o)) {
        for (const mount of c.volumeMounts ?? []) {
          const id = `${o.metadata.name}/${c.name}: ${mount.mountPath}`;
          const volume = volumes.get(mount.name);
          if (!volume) {
            expect(claims, id).toContain(mount.name);
            continue;
          }
          if (volume.secret) {
            expect(read('k8s/README.md'), id).toMatch(
              new RegExp(`kubectl -n iot create secret \\w+ ${volume.secret.secretName} `),
            );
            continue;
          }
          if (!volume.configMap) continue;
          const configMap = configMaps.get(volume.configMap.name);
          expect(configMap, id).toBeDefined();
          if (mount.subPath !== undefined) {
            expect(Object.keys(configMap?.data ?? {}), id).toContain(mount.subPath);
          }
        }
      }
    }
  });

  it('configures TimescaleDB from dependencies/timescaledb and runs the init script', () => {
    const db = container('StatefulSet', 'timescaledb');
    expect(db.args).toEqual(
      expect.arrayContaining([
        'config_file=/etc/postgresql/postgresql.conf',
        'shared_preload_libraries=timescaledb',
      ]),
    );
    const volumes = podSpec(find('StatefulSet', 'timescaledb')).volumes ?? [];
    const init = db.volumeMounts?.find((m) => m.mountPath === '/docker-entrypoint-initdb.d');
    const initVolume = volumes.find((v) => v.name === init?.name);
    expect(initVolume?.configMap?.name).toMatch(/^timescaledb-init-/);
    // Executable, or the entrypoint sources the script into its own shell.
    expect((initVolume?.configMap?.defaultMode ?? 0o644) & 0o111).toBe(0o111);
    const dbEnv = new Set((db.env ?? []).map((e) => e.name));
    const initScript = read('dependencies/timescaledb/init/001-init.sh');
    for (const name of initScript.match(/\bIOT_DB_[A-Z_]+_PASSWORD\b/g) ?? []) {
      expect(dbEnv, name).toContain(name);
    }
  });

  it('takes every secret from Secrets documented in k8s/README.md, and renders none', () => {
    const readme = read('k8s/README.md');
    const refs = workloads().flatMap((o) =>
      containersOf(o).flatMap((c) => [
        ...(c.env ?? []).flatMap((e) =>
          e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [],
        ),
        ...(c.envFrom ?? []).flatMap((e) =>
          e.secretRef ? [{ name: e.secretRef.name, key: '' }] : [],
        ),
      ]),
    );
    expect(refs.map((r) => r.name)).toEqual(
      expect.arrayContaining(['iot-rabbitmq-secrets', 'iot-db-secrets', 'iot-api-secrets']),
    );
    for (const { name, key } of refs) {
      expect(readme).toContain(`kubectl -n iot create secret generic ${name}`);
      if (key) expect(readme, `${name}/${key}`).toContain(`--from-literal=${key}=`);
    }
    for (const o of objects.filter((x) => x.kind === 'Secret')) {
      expect({ ...o.data, ...o.stringData }, `Secret ${o.metadata.name}`).toEqual({});
    }
    for (const o of workloads()) {
      for (const c of containersOf(o)) {
        for (const e of c.env ?? []) {
          if (SECRET_NAME.test(e.name)) expect(e.value, `${c.name}: ${e.name}`).toBeUndefined();
        }
      }
    }
  });

  it('gives every container resources, and every long-running one probes', () => {
    for (const o of workloads()) {
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

  it('provisions the broker users with the same script as compose', () => {
    const command = container('StatefulSet', 'rabbitmq').lifecycle?.postStart?.exec?.command;
    expect(command?.slice(0, 2)).toEqual(['bash', '-c']);
    expect(command?.[2]).toBe(composeUsersScript());
  });

  it('leaves the Flux objects out of the overlay, pointing Flux at it', () => {
    expect(objects.map((o) => o.apiVersion).filter((v) => v.includes('fluxcd.io'))).toEqual([]);
    const flux = readdirSync(path.join(root, 'k8s/flux'))
      .filter((file) => file.endsWith('.yaml'))
      .flatMap((file) =>
        parseAllDocuments(read(path.join('k8s/flux', file))).map((d) => d.toJS() as K8sObject),
      );
    const source = flux.find((o) => o.kind === 'GitRepository');
    const sync = flux.find((o) => o.kind === 'Kustomization');
    expect(source?.apiVersion).toMatch(/^source\.toolkit\.fluxcd\.io\//);
    expect(sync?.apiVersion).toMatch(/^kustomize\.toolkit\.fluxcd\.io\//);
    expect(sync?.spec?.path).toBe('./k8s/overlays/homelab');
    expect(sync?.spec?.sourceRef).toEqual({ kind: 'GitRepository', name: source?.metadata.name });
    expect(existsSync(path.join(root, 'k8s/overlays/homelab/kustomization.yaml'))).toBe(true);
  });
});
