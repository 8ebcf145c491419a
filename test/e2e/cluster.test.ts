// A broker node lost while sensors stream, end to end: a three-node cluster of this test's own
// (utils/stack.sh up --nodes 3 in .stack/cluster-e2e, beside the one-node stack the other tests
// use), the real registry and measurements ingester, simulated sensors over MQTT. The node that
// leads sensor.all.measurements.db_writer is killed with SIGKILL mid-stream; devices and
// services move to the surviving nodes; afterwards PostgreSQL holds exactly the samples the
// broker confirmed, for every sensor, none twice, and nothing was dead-lettered.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ResourceSampler, rabbitBeamPid, readStat } from '../../bench/resources.js';
import { QUEUES } from '../../internal/routing/index.js';
import { deadLetterCount, rabbitAdmin } from '../../utils/test/brokers.js';
import {
  clusterStackDir,
  nodeNames,
  purgeCluster,
  quorumQueues,
  startCluster,
} from '../../utils/test/cluster.js';
import { testPool } from '../../utils/test/database.js';
import {
  duplicateBlocks,
  everyConfirmedSampleStored,
  samplesStored,
  startSensors,
} from '../../utils/test/fleet.js';
import { startService, type ServiceProcess } from '../../utils/test/processes.js';

const dir = clusterStackDir('cluster-e2e');
const workDir = mkdtempSync(path.join(tmpdir(), 'iot-cluster-e2e-'));
/** Long enough to stream before, through and after the failover (about 15 s of it). */
const STREAM_S = 40;

let env: Record<string, string> = {};
let pool: pg.Pool | undefined;
const services: ServiceProcess[] = [];
const sampler = new ResourceSampler();
let sampling: NodeJS.Timeout | undefined;

const list = (name: string) => (env[name] ?? '').split(',');
/** The port a connection's name says it reached ("client:port -> 127.0.0.1:port"). */
const serverPort = (connectionName: string) => Number(connectionName.split(':').pop());

beforeAll(async () => {
  env = await startCluster(dir);
  // Every helper (pool, broker, services' env) now reads this cluster's .stack/env.
  vi.stubEnv('IOT_STACK_DIR', dir);
  pool = testPool();
  for (const node of nodeNames(env)) {
    // What the boot cost each node (kernel ticks are 1/100 s), for the report below.
    const ticks = beamPids(node).reduce((sum, pid) => sum + (readStat(pid)?.cpuTicks ?? 0), 0);
    process.stdout.write(`cluster node ${node}: booted on ${(ticks / 100).toFixed(1)} CPU s\n`);
    sampler.watch({ name: node, pids: () => beamPids(node) });
  }
  sampling = setInterval(() => sampler.sample(), 1000);
}, 240_000);

afterAll(async () => {
  clearInterval(sampling);
  for (const service of services.reverse()) await service.stop('SIGKILL');
  await pool?.end();
  vi.unstubAllEnvs();
  await purgeCluster(dir);
  for (const usage of sampler.usage())
    process.stdout.write(
      `cluster node ${usage.name}: ${usage.cpuSeconds.toFixed(1)} CPU s during the test, ` +
        `peak RSS ${usage.peakRssMb.toFixed(0)} MB\n`,
    );
}, 120_000);

function beamPids(node: string): number[] {
  const pid = rabbitBeamPid(node);
  return pid === undefined ? [] : [pid];
}

describe('a three-node cluster losing the leader of the measurements queue', () => {
  it('stores every confirmed sample exactly once; devices and services move on', async () => {
    const db = pool as pg.Pool;
    for (const name of ['sensor-registry', 'sensor-measurements-ingester'])
      services.push(await startService(name));
    const run = Date.now().toString(36).slice(-5).toUpperCase();
    const serials = [`CLU${run}-A`, `CLU${run}-B`, `CLU${run}-C`];
    const { simulator, summary } = await startSensors(
      workDir,
      [`${serials[0]}:1000`, `${serials[1]}:500`, `${serials[2]}:200:mobile`],
      ['--duration', String(STREAM_S)],
    );
    services.push(simulator);
    // Streaming: a few seconds of the fastest sensor are in the database.
    await vi.waitFor(
      async () => expect(await samplesStored(db, serials[0]!)).toBeGreaterThan(3000),
      {
        timeout: 60_000,
        interval: 250,
      },
    );

    const nodes = nodeNames(env);
    const leaderOf = async (asking: string) =>
      (await quorumQueues(dir, asking)).find((q) => q.name === QUEUES.measurementsDbWriter)?.leader;
    const leader = await leaderOf(nodes[1]!);
    expect(nodes).toContain(leader);
    const killed = nodes.indexOf(leader!);
    const survivor = nodes[(killed + 1) % nodes.length]!;
    const beam = rabbitBeamPid(leader!);
    expect(beam, `${leader} VM`).toBeDefined();
    process.kill(beam!, 'SIGKILL');
    const storedAtKill = await samplesStored(db, serials[0]!);

    // The queue elects a leader among the survivors...
    await vi.waitFor(
      async () => expect([undefined, leader]).not.toContain(await leaderOf(survivor)),
      {
        timeout: 30_000,
        interval: 1000,
      },
    );
    // ...and the ingester, on a surviving node, goes on storing.
    await vi.waitFor(
      async () => expect(await samplesStored(db, serials[0]!)).toBeGreaterThan(storedAtKill + 3000),
      { timeout: 60_000, interval: 500 },
    );
    // Services and devices hold connections to surviving nodes only (the management API of a
    // survivor; a connection's name ends in the port it reached).
    const admin = rabbitAdmin(list('IOT_RABBITMQ_MANAGEMENT_URLS')[nodes.indexOf(survivor)]);
    const deadPorts = [list('IOT_AMQP_URL'), list('IOT_MQTT_URL')].map((urls) =>
      Number(new URL(urls[killed]!).port),
    );
    await vi.waitFor(
      async () => {
        for (const filter of [
          { clientName: 'sensor-measurements-ingester' },
          { clientName: 'sensor-registry' },
          ...serials.map((user) => ({ user })),
        ]) {
          const ports = (await admin.connections(filter)).map(serverPort);
          expect(ports.length, JSON.stringify(filter)).toBeGreaterThan(0);
          for (const port of ports) expect(deadPorts).not.toContain(port);
        }
      },
      { timeout: 30_000, interval: 1000 },
    );

    expect(await simulator.exit).toBe(0);
    const sensors = summary().sensors;
    expect(sensors.map((s) => s.serial).sort()).toEqual([...serials].sort());
    for (const s of sensors) {
      expect(s.samplesDropped, s.serial).toBe(0);
      expect(s.samplesConfirmed, s.serial).toBe(s.samplesMeasured);
    }
    await everyConfirmedSampleStored(db, sensors);
    for (const serial of serials) expect(await duplicateBlocks(db, serial), serial).toBe(0);
    expect(await deadLetterCount()).toBe(0);
  }, 180_000);
});
