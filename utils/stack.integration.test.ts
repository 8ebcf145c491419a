// The local stack as the other tests and `npm start` rely on it: `utils/stack.sh` reports it
// up, a second `up` is cheap and keeps the secrets, nothing sits on the machine's standard
// ports, and the broker answers where `.stack/env` says it does.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { repoRoot, stackEnv } from './test/stack-env.js';

const run = promisify(execFile);
const stackScript = path.join(repoRoot, 'utils/stack.sh');

/** Ports of the servers that may already run on a developer's machine (8443: compose's API). */
const systemPorts = [5672, 15672, 15692, 1883, 4369, 25672, 5432, 8443];

const secretNames = [
  'IOT_RABBITMQ_ADMIN_PASSWORD',
  'IOT_RABBITMQ_SERVICES_PASSWORD',
  'IOT_DB_OWNER_PASSWORD',
  'IOT_DB_APP_PASSWORD',
  'IOT_DB_READONLY_PASSWORD',
  'IOT_DB_MONITORING_PASSWORD',
  'IOT_ADMIN_PASSWORD',
  'IOT_JWT_SECRET',
  'IOT_AMQP_URL',
  'IOT_DATABASE_URL',
  'IOT_DATABASE_OWNER_URL',
] as const;

function required(env: Record<string, string>, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`.stack/env has no ${name}`);
  return value;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

async function management(pathname: string): Promise<Response> {
  const env = stackEnv();
  const credentials = Buffer.from(
    `${required(env, 'IOT_RABBITMQ_ADMIN_USERNAME')}:${required(env, 'IOT_RABBITMQ_ADMIN_PASSWORD')}`,
  ).toString('base64');
  return fetch(`${required(env, 'IOT_RABBITMQ_MANAGEMENT_URL')}${pathname}`, {
    headers: { authorization: `Basic ${credentials}` },
  });
}

describe('utils/stack.sh', () => {
  it('reports both components up (exit 0)', async () => {
    const { stdout } = await run(stackScript, ['status'], { cwd: repoRoot });
    expect(stdout).toMatch(/^rabbitmq\s+up\b/m);
    expect(stdout).toMatch(/^broker-auth\s+up\b/m);
    expect(stdout).toMatch(/^postgres\s+up\b/m);
  });

  it('runs `up` again quickly, keeping every secret', async () => {
    const before = stackEnv();
    const started = Date.now();
    await run(stackScript, ['up'], { cwd: repoRoot });
    const elapsedMs = Date.now() - started;
    const after = stackEnv();
    for (const name of secretNames) {
      expect(after[name], name).toBe(required(before, name));
    }
    // A cold start takes 15-30 s; an `up` on a running stack does no boot at all.
    expect(elapsedMs).toBeLessThan(10_000);
  });

  it('keeps off the standard ports of servers already on the machine', () => {
    const env = stackEnv();
    const ports = [
      portOf(required(env, 'IOT_AMQP_URL')),
      portOf(required(env, 'IOT_MQTT_URL')),
      portOf(required(env, 'IOT_RABBITMQ_MANAGEMENT_URL')),
      portOf(required(env, 'IOT_DATABASE_URL')),
      Number(required(env, 'IOT_RABBITMQ_EPMD_PORT')),
      Number(required(env, 'IOT_HTTP_PORT')),
      Number(required(env, 'IOT_API_PORT')),
    ];
    for (const port of ports) {
      expect(port).toBeGreaterThan(1024);
      expect(systemPorts).not.toContain(port);
    }
    expect(new Set(ports).size).toBe(ports.length);
    expect(portOf(required(env, 'IOT_API_URL'))).toBe(Number(required(env, 'IOT_API_PORT')));
  });

  it('answers the management API with the admin credentials, and only with them', async () => {
    const response = await management('/api/overview');
    expect(response.status).toBe(200);
    const overview = (await response.json()) as { rabbitmq_version: string; node: string };
    expect(overview.rabbitmq_version).toMatch(/^3\.10\./);
    expect(overview.node).toBe(required(stackEnv(), 'IOT_RABBITMQ_NODE'));

    const anonymous = await fetch(
      `${required(stackEnv(), 'IOT_RABBITMQ_MANAGEMENT_URL')}/api/overview`,
    );
    expect(anonymous.status).toBe(401);
  });

  it('has deleted guest and created the services user', async () => {
    expect((await management('/api/users/guest')).status).toBe(404);
    const services = await management(
      `/api/users/${encodeURIComponent(required(stackEnv(), 'IOT_RABBITMQ_SERVICES_USERNAME'))}`,
    );
    expect(services.status).toBe(200);
  });

  it('listens for MQTT over TLS (and AMQP) on the ports in .stack/env', async () => {
    const env = stackEnv();
    const response = await management('/api/overview');
    const { listeners } = (await response.json()) as {
      listeners: { protocol: string; ip_address: string; port: number }[];
    };
    const portOfProtocol = (protocol: string) =>
      listeners.find((listener) => listener.protocol === protocol)?.port;
    // Devices speak MQTT over TLS (IOT_MQTT_URL is mqtts://); plain MQTT is on loopback only.
    expect(required(env, 'IOT_MQTT_URL')).toMatch(/^mqtts:\/\//);
    expect(portOfProtocol('mqtt/ssl')).toBe(portOf(required(env, 'IOT_MQTT_URL')));
    expect(portOfProtocol('amqp')).toBe(portOf(required(env, 'IOT_AMQP_URL')));
    expect(portOfProtocol('mqtt')).not.toBe(1883);
    const plain = listeners.filter((listener) => listener.protocol === 'mqtt');
    expect(plain.map((listener) => listener.ip_address)).toEqual(['127.0.0.1']);
  });

  it('makes a scratch database like iot, and drops it', async () => {
    const name = `iot_scratch_${Date.now().toString(36)}`;
    const urlOf = (variable: string) => {
      const url = new URL(required(stackEnv(), variable));
      url.pathname = `/${name}`;
      return url.toString();
    };
    await run(stackScript, ['createdb', name], { cwd: repoRoot });
    const owner = new pg.Client({ connectionString: urlOf('IOT_DATABASE_OWNER_URL') });
    await owner.connect();
    const { rows } = await owner.query<{ extname: string }>(
      "SELECT extname FROM pg_extension WHERE extname = 'postgis'",
    );
    await owner.query('CREATE TABLE scratch (n int)');
    await owner.end();
    expect(rows).toEqual([{ extname: 'postgis' }]);
    // The services' role may connect; the table's grants are the migrations' business.
    const app = new pg.Client({ connectionString: urlOf('IOT_DATABASE_URL') });
    await app.connect();
    await app.end();

    await run(stackScript, ['dropdb', name], { cwd: repoRoot });
    const gone = new pg.Client({ connectionString: urlOf('IOT_DATABASE_OWNER_URL') });
    await expect(gone.connect()).rejects.toThrow(/does not exist/);
  });

  it('refuses to make or drop a database not named iot_*', async () => {
    for (const args of [
      ['dropdb', 'iot'],
      ['createdb', 'postgres'],
      ['dropdb', 'iot_x; DROP'],
    ]) {
      await expect(run(stackScript, args, { cwd: repoRoot })).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/must match iot_/) as unknown,
      });
    }
  });
});
