// `utils/stack.sh up --nodes 3`: three RabbitMQ nodes of the checkout's own, clustered, on
// ports of their own, every quorum queue with a member on each node and MQTT sessions as
// quorum queues; `up` again is cheap, the node count stays, and `down` leaves nothing running.
// The cluster lives in a stack directory of its own, beside the one-node stack.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rabbitBeamPid } from '../bench/resources.js';
import { QUEUES } from '../internal/routing/index.js';
import {
  CLUSTER_NODES,
  clusterEnv,
  clusterStackDir,
  nodeNames,
  purgeCluster,
  quorumQueues,
  startCluster,
} from './test/cluster.js';
import { stack, stackScript } from './test/stack-control.js';
import { repoRoot } from './test/stack-env.js';

const run = promisify(execFile);
const dir = clusterStackDir('stack-cluster-test');
let env: Record<string, string> = {};

const list = (name: string) => (env[name] ?? '').split(',').filter((value) => value !== '');
const portOf = (url: string) => Number(new URL(url).port);

/** Whether anything accepts a TCP connection on 127.0.0.1:port. */
async function listening(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  env = await startCluster(dir);
});
afterAll(async () => {
  if (existsSync(dir)) await purgeCluster(dir);
});

describe('utils/stack.sh up --nodes 3', () => {
  it('reports three nodes and PostgreSQL up', async () => {
    const { stdout } = await stack(['status'], { stackDir: dir });
    for (const label of ['rabbitmq', 'rabbitmq-2', 'rabbitmq-3', 'broker-auth', 'postgres'])
      expect(stdout).toMatch(new RegExp(`^${label}\\s+up\\b`, 'm'));
  });

  it('lists every node in .stack/env, on ports of its own that each answer AMQP', async () => {
    const nodes = nodeNames(env);
    expect(nodes).toHaveLength(CLUSTER_NODES);
    expect(new Set(nodes).size).toBe(CLUSTER_NODES);
    const amqp = list('IOT_AMQP_URL');
    const mqtt = list('IOT_MQTT_URL');
    const management = list('IOT_RABBITMQ_MANAGEMENT_URLS');
    for (const urls of [amqp, mqtt, management]) expect(urls).toHaveLength(CLUSTER_NODES);
    const ports = [...amqp, ...mqtt, ...management].map(portOf);
    expect(new Set(ports).size).toBe(ports.length);
    // Node 1 on the base ports; the others 10000 below, five ports each (utils/stack.sh).
    const base = Number(env.IOT_STACK_BASE_PORT);
    expect(amqp.map(portOf)).toEqual([base, base - 10000, base - 10000 + 5]);
    for (const url of amqp) {
      const model = await amqplib.connect(url);
      await model.close();
    }
  });

  it('forms one cluster: each node sees all three running', async () => {
    const nodes = nodeNames(env);
    for (const node of nodes) {
      const { stdout } = await stack(
        ['rabbitmqctl', '-n', node, '-q', 'cluster_status', '--formatter', 'json'],
        { stackDir: dir },
      );
      const status = JSON.parse(stdout) as { running_nodes: string[] };
      expect([...status.running_nodes].sort(), node).toEqual([...nodes].sort());
    }
  });

  it('replicates every quorum queue onto all three nodes', async () => {
    const nodes = [...nodeNames(env)].sort();
    const queues = await quorumQueues(dir, nodeNames(env)[1] as string);
    expect(queues.map((queue) => queue.name)).toEqual(
      expect.arrayContaining(Object.values(QUEUES)),
    );
    for (const queue of queues) expect([...queue.members].sort(), queue.name).toEqual(nodes);
  });

  it('keeps MQTT sessions in quorum queues', async () => {
    const { stdout } = await stack(
      ['rabbitmqctl', '-q', 'eval', 'application:get_env(rabbitmq_mqtt, durable_queue_type).'],
      { stackDir: dir },
    );
    expect(stdout.trim()).toBe('{ok,quorum}');
  });

  it('runs `up` again quickly, still three nodes; refuses to change the count', async () => {
    const started = Date.now();
    await stack(['up'], { stackDir: dir });
    // A cold start of the cluster takes a minute or more; a second `up` boots nothing.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(nodeNames(clusterEnv(dir))).toEqual(nodeNames(env));
    await expect(
      run(stackScript, ['up', '--nodes', '1'], {
        cwd: repoRoot,
        env: { ...process.env, IOT_STACK_DIR: dir },
      }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/has 3 RabbitMQ node\(s\), not 1/) as unknown,
    });
  });

  it('`down` stops every node: no VM left, no port open, status exit 3', async () => {
    const ports = ['IOT_AMQP_URL', 'IOT_MQTT_URL', 'IOT_RABBITMQ_MANAGEMENT_URLS']
      .flatMap(list)
      .map(portOf)
      .concat(Number(env.IOT_BROKER_AUTH_PORT));
    await stack(['down'], { stackDir: dir });
    for (const node of nodeNames(env)) expect(rabbitBeamPid(node), node).toBeUndefined();
    for (const port of ports) expect(await listening(port), String(port)).toBe(false);
    await expect(
      run(stackScript, ['status'], { cwd: repoRoot, env: { ...process.env, IOT_STACK_DIR: dir } }),
    ).rejects.toMatchObject({ code: 3 });
    await purgeCluster(dir);
    expect(existsSync(dir)).toBe(false);
  });
});
