// compose.yaml, checked without Docker: it parses, runs every service of cmd/ beside the
// broker, the database and the observability stack, mounts files that exist (the ones under
// dependencies/, never copies), takes every secret from .env, publishes ports that do not
// collide, and starts things in order.
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  envExampleVariables,
  environmentOf,
  interpolate,
  interpolatedVariables,
  isBindMount,
  loadCompose,
  mountsOf,
  platformCommandOf,
  serviceOf,
  stringsIn,
  usersScript,
  type ComposeService,
  type Mount,
} from './compose-file.js';
import { readRepoFile, repoPath } from './repo.js';
import { serverCommands } from './service-configs.js';

const compose = loadCompose();
const service = (name: string) => serviceOf(compose, name);
const SECRET_NAME = /PASSWORD|SECRET|COOKIE|TOKEN/;
const REQUIRED_REFERENCE = /^\$\{[A-Z_][A-Z0-9_]*:\?[^}]*\}$/;
const platformServices = () =>
  Object.entries(compose.services).filter(([, svc]) => platformCommandOf(svc.command));

describe('compose.yaml', () => {
  it('runs every server of cmd/ and the migrations, each once, with the image it builds', () => {
    const commands = platformServices().map(([, svc]) => platformCommandOf(svc.command));
    expect(commands.sort()).toEqual(
      [...serverCommands(), 'migrate'].map((name) => `cmd/${name}`).sort(),
    );
    const built = Object.entries(compose.services).filter(([, svc]) => svc.build !== undefined);
    expect(built.map(([name]) => name)).toEqual(['migrate']);
    for (const [name, svc] of platformServices()) {
      expect(svc.image, name).toBe(service('migrate').image);
      expect((svc.command as string[]).slice(0, 4), name).toEqual([
        'node',
        '--import',
        'tsx',
        `${platformCommandOf(svc.command) ?? ''}/main.ts`,
      ]);
      expect(existsSync(repoPath(`${platformCommandOf(svc.command) ?? ''}/main.ts`))).toBe(true);
    }
  });

  it('runs the broker, the database and the observability stack from pinned images', () => {
    expect(service('rabbitmq').image).toBe('rabbitmq:3.10-management');
    expect(service('rabbitmq-users').image).toBe('rabbitmq:3.10-management');
    expect(service('timescaledb').image).toBe('timescale/timescaledb-ha:pg15');
    for (const name of ['prometheus', 'loki', 'alloy', 'grafana']) {
      expect(service(name).image, name).toMatch(/^[a-z/-]+:v?\d+\.\d+\.\d+$/);
    }
    for (const [name, svc] of Object.entries(compose.services)) {
      expect(svc.image, name).not.toMatch(/:latest$/);
    }
  });

  it('mounts the dependencies/rabbitmq files and the MQTT over TLS listener into the broker', () => {
    const binds = mountsOf(service('rabbitmq')).filter(isBindMount);
    expect(binds).toEqual([
      ...['rabbitmq.conf', 'enabled_plugins', 'definitions.json', 'advanced.config'].map(
        (file) => ({
          source: `./dependencies/rabbitmq/${file}`,
          target: `/etc/rabbitmq/${file}`,
          readOnly: true,
        }),
      ),
      {
        source: './k8s/base/rabbitmq/mqtt-tls.conf',
        target: '/etc/rabbitmq/conf.d/20-mqtt-tls.conf',
        readOnly: true,
      },
    ]);
    // The files mqtt-tls.conf names lie in the volume the tls one-shot writes.
    const conf = readRepoFile('k8s/base/rabbitmq/mqtt-tls.conf');
    const tlsMount = mountsOf(service('rabbitmq')).find((m) => m.source === 'rabbitmq-tls');
    for (const [, file] of conf.matchAll(/^ssl_options\.\w+file = (\S+)$/gm)) {
      expect(path.posix.dirname(file ?? ''), file).toBe(tlsMount?.target);
    }
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
    expect(service('timescaledb').command).toEqual(
      expect.arrayContaining([
        'config_file=/etc/postgresql/postgresql.conf',
        'shared_preload_libraries=timescaledb',
      ]),
    );
    const dir = repoPath('dependencies/timescaledb/init');
    for (const script of readdirSync(dir).filter((file) => file.endsWith('.sh'))) {
      // Executable, or the image sources it into its entrypoint.
      expect(() => accessSync(path.join(dir, script), constants.X_OK), script).not.toThrow();
    }
  });

  it('mounts only host files that exist, read-only, and declares its named volumes', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const mount of mountsOf(svc)) {
        if (isBindMount(mount)) {
          expect(existsSync(repoPath(mount.source)), `${name}: ${mount.source}`).toBe(true);
          expect(mount.readOnly, `${name}: ${mount.source}`).toBe(true);
        } else {
          expect(Object.keys(compose.volumes ?? {}), `${name}: ${mount.source}`).toContain(
            mount.source,
          );
        }
      }
    }
  });

  it('mounts Grafana the provisioning directory and Prometheus, Loki and Alloy their files', () => {
    const target = (name: string, source: string) =>
      mountsOf(service(name)).find((m) => m.source === source)?.target;
    expect(target('grafana', './dependencies/grafana/provisioning')).toBe(
      '/etc/grafana/provisioning',
    );
    // dashboards.yaml points Grafana at where the JSON is mounted.
    expect(readRepoFile('dependencies/grafana/provisioning/dashboards/dashboards.yaml')).toContain(
      'path: /etc/grafana/provisioning/dashboards',
    );
    expect(target('prometheus', './dependencies/prometheus/prometheus.yml')).toBe(
      '/etc/prometheus/prometheus.yml',
    );
    expect(target('prometheus', './dependencies/prometheus/rules.yml')).toBe(
      '/etc/prometheus/rules.yml',
    );
    // prometheus.yml reads iot-api's CA from the volume the tls one-shot fills.
    expect(readRepoFile('dependencies/prometheus/prometheus.yml')).toContain(
      `ca_file: ${target('prometheus', 'iot-ca') ?? '?'}/ca.pem`,
    );
    expect(stringsIn(service('loki').command).join(' ')).toContain(
      `-config.file=${target('loki', './dependencies/loki/loki.yaml') ?? '?'}`,
    );
    expect(stringsIn(service('alloy').command)).toContain(
      target('alloy', './dependencies/alloy/config.alloy'),
    );
  });

  it('lets Alloy read the directory the logs ingester writes its day files to', () => {
    const dir = environmentOf(service('sensor-logs-ingester')).IOT_SENSOR_LOG_DIR;
    const written = mountsOf(service('sensor-logs-ingester')).find((m) => m.target === dir);
    expect(written?.readOnly).toBe(false);
    const read = mountsOf(service('alloy')).find((m) => m.source === written?.source);
    expect(read?.readOnly).toBe(true);
    expect(readRepoFile('dependencies/alloy/config.alloy')).toContain(
      `__path__ = "${read?.target ?? '?'}/sensors-*.log"`,
    );
  });

  it('documents in .env.example every variable it uses, and only those', () => {
    const used = new Set(stringsIn(compose).flatMap(interpolatedVariables));
    const documented = envExampleVariables();
    expect([...used].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented.keys()].filter((name) => !used.has(name))).toEqual([]);
  });

  it('keeps every secret out of the repository: required from .env, empty in the example', () => {
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
    expect(readRepoFile('.gitignore').split('\n')).toContain('.env');
    // A missing secret stops `docker compose up` instead of starting with an empty one.
    expect(() => interpolate(environmentOf(service('iot-api')).IOT_JWT_SECRET ?? '', {})).toThrow(
      /IOT_JWT_SECRET/,
    );
  });

  it('publishes every port through a variable, no host port twice, MQTT only over TLS', () => {
    const published: string[] = [];
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const port of svc.ports ?? []) {
        // [ip:]host:container, where host is ${VAR:-default}
        const text = typeof port === 'string' ? port : JSON.stringify(port);
        const match = /^(?:(\d+\.\d+\.\d+\.\d+):)?(\$\{[A-Z_][A-Z0-9_]*:-\d+\}):(\d+)$/.exec(text);
        expect(match, `${name}: ${text}`).not.toBeNull();
        const host = interpolate(match?.[2] ?? '', {});
        published.push(host);
      }
    }
    expect(published.length).toBeGreaterThan(0);
    // One address per port: a port bound on 0.0.0.0 and on 127.0.0.1 collides too.
    expect(new Set(published).size).toBe(published.length);
    // Also with the example .env's values.
    const example = Object.fromEntries(envExampleVariables());
    const withExample = Object.values(compose.services).flatMap((svc) =>
      (svc.ports ?? []).map((p) =>
        interpolate(typeof p === 'string' ? p : JSON.stringify(p), example)
          .split(':')
          .at(-2),
      ),
    );
    expect(new Set(withExample).size).toBe(withExample.length);
    // On every interface: MQTT over TLS for the devices and the API; the rest on this machine.
    const everywhere = Object.values(compose.services)
      .flatMap((svc) => svc.ports ?? [])
      .map((port) => (typeof port === 'string' ? port : JSON.stringify(port)))
      .filter((port) => !port.startsWith('127.0.0.1:'));
    expect(everywhere).toEqual(['${IOT_MQTTS_PORT:-8883}:8883', '${IOT_API_PORT:-8443}:8443']);
    expect(service('rabbitmq').ports).not.toContainEqual(expect.stringMatching(/:1883$/));
  });

  it('builds from a Dockerfile that runs as node, and keeps secrets out of the context', () => {
    const dockerfile = readRepoFile('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bopenssl\b/);
    const ignored = readRepoFile('.dockerignore').split('\n');
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', '.stack', '.git', 'bench/results', '.env']),
    );
  });

  it('starts in order: dependencies exist, health checks back every service_healthy', () => {
    const conditions = ['service_started', 'service_healthy', 'service_completed_successfully'];
    for (const [name, svc] of Object.entries(compose.services)) {
      const dependsOn = svc.depends_on ?? {};
      expect(Array.isArray(dependsOn), `${name}: depends_on with conditions`).toBe(false);
      for (const [target, { condition }] of Object.entries(
        dependsOn as Record<string, { condition?: string }>,
      )) {
        expect(Object.keys(compose.services), `${name} -> ${target}`).toContain(target);
        expect(conditions, `${name} -> ${target}`).toContain(condition);
        if (condition === 'service_healthy') {
          expect(service(target).healthcheck?.test, `${target} healthcheck`).toBeDefined();
        }
      }
    }
    expect(service('migrate').depends_on).toEqual({
      timescaledb: { condition: 'service_healthy' },
    });
    for (const [name, svc] of platformServices()) {
      if (name === 'migrate') continue;
      const dependsOn = svc.depends_on as Record<string, { condition?: string }>;
      // The services need the broker users and the schema; the controller needs neither, nor
      // does broker-auth, which the broker asks about logins (the next test).
      if (name !== 'machine-controller' && name !== 'broker-auth') {
        expect(dependsOn['rabbitmq-users'], name).toEqual({
          condition: 'service_completed_successfully',
        });
        expect(dependsOn.migrate, name).toEqual({ condition: 'service_completed_successfully' });
      }
      expect(svc.healthcheck?.test, `${name} healthcheck`).toBeDefined();
    }
  });

  it("runs broker-auth in the broker's network namespace, up before anything logs in", () => {
    const auth = service('broker-auth');
    expect(platformCommandOf(auth.command)).toBe('cmd/broker-auth');
    // rabbitmq.conf's auth_http.*_path ask 127.0.0.1 on broker-auth's own default port.
    expect((auth as { network_mode?: string }).network_mode).toBe('service:rabbitmq');
    const conf = readRepoFile('dependencies/rabbitmq/rabbitmq.conf');
    const paths = [...conf.matchAll(/^auth_http\.\w+_path = (\S+)$/gm)].map((m) => m[1] ?? '');
    expect(paths.length).toBeGreaterThan(0);
    for (const url of paths) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:15680\//);
    expect(environmentOf(auth).IOT_BROKER_AUTH_PORT).toBeUndefined();
    expect(environmentOf(auth).IOT_BROKER_AUTH_HOST).toBeUndefined();
    expect(readRepoFile('cmd/broker-auth/config.ts')).toMatch(
      /port\('IOT_BROKER_AUTH_PORT', \{ default: 15680 \}\)/,
    );
    // It needs the namespace only; no users, schema, secrets or published ports.
    expect(Object.keys(auth.depends_on ?? {})).toEqual(['rabbitmq']);
    expect(auth.ports).toBeUndefined();
    // Its health port is not one the broker listens on (its listeners, MQTT over TLS, epmd,
    // Erlang distribution).
    const brokerPorts = [
      ...[...conf.matchAll(/^[\w.]*(?:port|listeners\.tcp\.default) = (\d+)$/gm)].map((m) => m[1]),
      ...['8883', '4369', '25672'],
    ];
    expect(brokerPorts).toEqual(expect.arrayContaining(['5672', '15672', '1883', '15692']));
    expect(brokerPorts).not.toContain(environmentOf(auth).IOT_HTTP_PORT);
    // Whatever logs in to the broker (AMQP, MQTT, the management API) waits for it.
    const connectsToBroker = (svc: ComposeService) =>
      Object.values(environmentOf(svc)).some((value) =>
        /^[a-z]+:\/\/([^/]*@)?rabbitmq:/.test(value),
      );
    const clients = Object.entries(compose.services).filter(([, svc]) => connectsToBroker(svc));
    expect(clients.length).toBeGreaterThanOrEqual(6);
    for (const [name, svc] of clients) {
      expect(svc.depends_on, name).toMatchObject({
        'broker-auth': { condition: 'service_healthy' },
      });
    }
  });

  it('checks each service healthy on /readyz, with node (the image has no curl)', () => {
    for (const [name, svc] of platformServices()) {
      if (name === 'migrate') continue;
      const test = svc.healthcheck?.test;
      expect(Array.isArray(test) ? test.slice(0, 3) : test, name).toEqual(['CMD', 'node', '-e']);
      const env = environmentOf(svc);
      const port = env.IOT_API_PORT ?? env.IOT_HTTP_PORT;
      expect(stringsIn(test).join(' '), name).toMatch(
        new RegExp(`(127\\.0\\.0\\.1:${port ?? '?'}/readyz|port: ${port ?? '?'}, path: '/readyz')`),
      );
    }
  });

  it('creates the broker users from the environment, on the broker node it names', () => {
    const script = usersScript(compose);
    expect(script).toContain('ensure_user iot-admin "$IOT_RABBITMQ_ADMIN_PASSWORD"');
    expect(script).toContain('ensure_user iot-services "$IOT_RABBITMQ_SERVICES_PASSWORD"');
    const env = environmentOf(service('rabbitmq-users'));
    expect(env.RABBITMQ_NODENAME).toBe(`rabbit@${service('rabbitmq').hostname ?? ''}`);
    expect(env.RABBITMQ_ERLANG_COOKIE).toBe(
      environmentOf(service('rabbitmq')).RABBITMQ_ERLANG_COOKIE,
    );
  });
});

describe('compose.yaml TLS', () => {
  const tls = service('tls');
  const script = stringsIn(tls.command).join('\n').replaceAll('$$', '$');
  const written = (volume: string): Mount | undefined =>
    mountsOf(tls).find((m) => m.source === volume);

  it('signs every TLS server with one CA whose key stays in the one-shot', () => {
    expect(tls.image).toBe(service('migrate').image);
    expect(written('./dependencies/tls')?.readOnly).toBe(true);
    expect(script).toContain(`${written('./dependencies/tls')?.target ?? '?'}/make-certs.sh`);
    const ca = written('iot-tls-ca');
    expect(ca?.readOnly).toBe(false);
    for (const [name, svc] of Object.entries(compose.services)) {
      if (name === 'tls') continue;
      expect(
        mountsOf(svc).map((m) => m.source),
        name,
      ).not.toContain('iot-tls-ca');
    }
    // Only server files and the CA certificate are installed into the servers' volumes.
    for (const line of script.split('\n').filter((l) => /^\s*install /.test(l))) {
      expect(line).not.toContain('ca-key.pem');
    }
    expect(script).toMatch(/^\s*sign iot-api node \$IOT_API_TLS_SANS$/m);
    expect(script).toMatch(/^\s*sign rabbitmq 999 \$IOT_MQTT_TLS_SANS$/m);
    expect(script).toMatch(/^\s*sign machine-controller node DNS:machine-controller$/m);
  });

  it.each([
    ['iot-api', 'iot-api-tls', ['IOT_TLS_CERT_FILE', 'IOT_TLS_KEY_FILE', 'IOT_TLS_CA_FILE']],
    ['machine-controller', 'machine-controller-tls', ['IOT_TLS_CERT_FILE', 'IOT_TLS_KEY_FILE']],
    ['sensor-alarms', 'iot-ca', ['IOT_TLS_CA_FILE']],
    ['sensor-simulation', 'iot-ca', ['IOT_TLS_CA_FILE']],
  ])(
    'gives %s its TLS files read-only from volume %s, which the one-shot fills',
    (name, volume, vars) => {
      const svc = service(name);
      const env = environmentOf(svc);
      const mount = mountsOf(svc).find((m) => m.source === volume);
      expect(mount?.readOnly, name).toBe(true);
      expect(svc.depends_on, name).toMatchObject({
        tls: { condition: 'service_completed_successfully' },
      });
      const out = written(volume)?.target ?? '?';
      for (const variable of vars) {
        const file = env[variable] ?? '?';
        expect(path.posix.dirname(file), variable).toBe(mount?.target);
        // The one-shot installs that very file name into the volume.
        expect(script, variable).toMatch(new RegExp(`${path.basename(file)}\\b`));
      }
      expect(out.startsWith('/out/')).toBe(true);
      expect(script).toContain('"/out/${dir#/ca/}/"');
    },
  );

  it('gives the broker its key as its own user, and devices MQTT over TLS', () => {
    expect(service('rabbitmq').depends_on).toEqual({
      tls: { condition: 'service_completed_successfully' },
    });
    expect(environmentOf(service('sensor-simulation')).IOT_MQTT_URL).toBe('mqtts://rabbitmq:8883');
    expect(environmentOf(service('iot-api')).IOT_MQTT_URL).toMatch(/^mqtts:\/\//);
    expect(environmentOf(tls).IOT_MQTT_TLS_SANS).toContain('DNS:rabbitmq');
    expect(environmentOf(tls).IOT_API_TLS_SANS).toContain('DNS:iot-api');
  });
});
