// Simulated sensors against the real local stack: what the summary claims must be exactly what
// sits in the queues. Run only under the shared lock, because the outage test stops the
// broker's application (every connection on the stack dies while it runs):
//   flock /tmp/iot-integration.lock npx vitest run --project integration cmd/sensor-simulation
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GetMessage } from 'amqplib';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  QUEUES,
  locationCodec,
  logLineCodec,
  measurementBatchCodec,
  mqttSubscriptionQueue,
  registrationCodec,
  serialFromKey,
  type MeasurementBatch,
} from '../../internal/routing/index.js';
import { provisionSensors } from '../../internal/simulation/index.js';
import {
  drainQueue,
  mqttCa,
  rabbitAdmin,
  rawChannel,
  required,
  testLogger,
} from '../../utils/test/brokers.js';
import { repoRoot, serviceEnv, stackEnv } from '../../utils/test/stack-env.js';
import { Fleet } from './fleet.js';
import type { Summary } from './summary.js';
import type { SensorSpec } from './device.js';

const run = promisify(execFile);
const env = stackEnv();
const admin = rabbitAdmin();
const mqttUrl = required(env, 'IOT_MQTT_URL');
// The stack's device secret when it has one; any secret works, since the test provisions.
const deviceSecret = env.IOT_DEVICE_SECRET || randomBytes(16).toString('hex');
const run_id = randomBytes(3).toString('hex').toUpperCase();
const serials: string[] = [];
let brokerAppStopped = false;

const READ_QUEUES = [
  QUEUES.measurementsDbWriter,
  QUEUES.measurementsAnalytics,
  QUEUES.registry,
  QUEUES.logs,
  QUEUES.locationsDbWriter,
];

beforeEach(async () => {
  for (const queue of READ_QUEUES) await admin.purgeQueue(queue);
});

afterAll(async () => {
  if (brokerAppStopped) await startBrokerApp(); // whatever happened, leave the broker running
  for (const queue of READ_QUEUES) await admin.purgeQueue(queue);
  for (const serial of serials) await admin.deleteUser(serial);
  // Each sensor subscribed to its commands with a persistent session: its queue outlives it.
  const { model, channel } = await rawChannel();
  for (const serial of serials) await channel.deleteQueue(mqttSubscriptionQueue(serial));
  await model.close();
});

function spec(name: string, sampleRateHz: number, mount: 'fixed' | 'mobile' = 'fixed'): SensorSpec {
  const serial = `SIMT-${run_id}-${name}`;
  serials.push(serial);
  return { serial, sampleRateHz, mount };
}

function fleetOf(specs: SensorSpec[]): Fleet {
  return new Fleet({
    specs,
    deviceSecret,
    mqttUrl,
    mqttCa: mqttCa(),
    logger: testLogger,
    batchIntervalMs: 1000,
    bufferBatches: 600,
    heartbeatMs: 1000,
    reconnectPeriodMs: 500,
  });
}

/** Everything ready in `queue`, grouped by the serial in the routing key. */
async function drainBySerial(queue: string): Promise<Map<string, GetMessage[]>> {
  const { model, channel } = await rawChannel();
  try {
    const bySerial = new Map<string, GetMessage[]>();
    for (const message of await drainQueue(channel, queue)) {
      const serial = serialFromKey(message.fields.routingKey) ?? '?';
      bySerial.set(serial, [...(bySerial.get(serial) ?? []), message]);
    }
    return bySerial;
  } finally {
    await model.close();
  }
}

const batchesOf = (messages: GetMessage[] | undefined): MeasurementBatch[] =>
  (messages ?? []).map((m) => measurementBatchCodec.decode(m.content));

/** Batches ordered by sequence, one per sequence (a resend after an outage may duplicate). */
function distinctBatches(batches: MeasurementBatch[]): MeasurementBatch[] {
  const bySequence = new Map<number, MeasurementBatch>();
  for (const b of batches) {
    const seen = bySequence.get(b.sequence);
    if (seen) expect(b).toEqual({ ...seen, publishedAtMs: b.publishedAtMs });
    else bySequence.set(b.sequence, b);
  }
  return [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
}

/** Consecutive sequences, each batch starting exactly where the previous one ended. */
function expectContiguous(batches: MeasurementBatch[], rate: number): void {
  const n = batches[0]?.values.length ?? 0;
  batches.forEach((b, k) => {
    expect(b.sampleRateHz).toBe(rate);
    expect(b.values).toHaveLength(n);
    if (k === 0) return;
    const previous = batches[k - 1] as MeasurementBatch;
    expect(b.sequence).toBe(previous.sequence + 1);
    expect(b.startTimeUs).toBe(previous.startTimeUs + (n * 1e6) / rate);
  });
}

const samplesIn = (batches: MeasurementBatch[]) => batches.reduce((s, b) => s + b.values.length, 0);

async function rabbitmqctl(...args: string[]): Promise<void> {
  await run(path.join(repoRoot, 'utils/stack.sh'), ['rabbitmqctl', ...args], {
    cwd: repoRoot,
    timeout: 60_000,
  });
}

async function stopBrokerApp(): Promise<void> {
  brokerAppStopped = true;
  await rabbitmqctl('stop_app');
}

async function startBrokerApp(): Promise<void> {
  await rabbitmqctl('start_app');
  await rabbitmqctl('await_startup', '--timeout', '60');
  await waitForPort(mqttUrl);
  brokerAppStopped = false;
}

function portAccepts(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

async function waitForPort(url: string): Promise<void> {
  await vi.waitFor(() => portAccepts(url), { timeout: 60_000, interval: 250 });
}

describe('a fleet in one process', () => {
  it('delivers exactly what its summary says, contiguous, with registry, logs and fixes', async () => {
    const specs = [spec('F1', 100), spec('F2', 200), spec('M1', 500, 'mobile')];
    await provisionSensors(
      admin,
      specs.map((s) => s.serial),
      deviceSecret,
      testLogger,
    );
    const fleet = fleetOf(specs);
    fleet.start();
    try {
      await vi.waitFor(() => expect(fleet.allConnected()).toBe(true), { timeout: 20_000 });
      await vi.waitFor(
        () => {
          for (const s of fleet.sensors)
            expect(s.counters.batchesConfirmed).toBeGreaterThanOrEqual(3);
        },
        { timeout: 20_000, interval: 100 },
      );
    } finally {
      expect(await fleet.stop()).toEqual({ drained: true });
    }

    const measurements = await drainBySerial(QUEUES.measurementsDbWriter);
    const registry = await drainBySerial(QUEUES.registry);
    const logs = await drainBySerial(QUEUES.logs);
    const locations = await drainBySerial(QUEUES.locationsDbWriter);
    for (const sensor of fleet.sensors) {
      const c = sensor.counters;
      const { serial, sampleRateHz, mount } = sensor.spec;
      expect(c.batchesConfirmed).toBe(c.batchesMeasured);
      expect(c.samplesDropped).toBe(0);

      const batches = batchesOf(measurements.get(serial));
      expect(batches).toHaveLength(c.batchesConfirmed);
      expect(samplesIn(batches)).toBe(c.samplesConfirmed);
      const sorted = distinctBatches(batches);
      expect(sorted).toHaveLength(batches.length);
      expectContiguous(sorted, sampleRateHz);
      expect(sorted[0]?.sequence).toBe(c.firstSequence);
      expect(sorted.at(-1)?.sequence).toBe(c.lastSequence);
      expect(sorted[0]?.values).toHaveLength(sampleRateHz); // 1 s batches

      const registrations = (registry.get(serial) ?? []).map((m) =>
        registrationCodec.decode(m.content),
      );
      expect(registrations).toEqual([
        expect.objectContaining({ serial, sampleFrequencyHz: sampleRateHz, mount }),
      ]);
      const lines = (logs.get(serial) ?? []).map((m) => logLineCodec.decode(m.content));
      expect(lines).toHaveLength(c.logsConfirmed);
      expect(lines.map((l) => l.message)).toEqual(
        expect.arrayContaining(['power on', 'self-test: accelerometer OK', 'heartbeat']),
      );
      if (mount === 'mobile') expect(lines.map((l) => l.message)).toContain('GPS fix acquired');
      const fixes = (locations.get(serial) ?? []).map((m) => locationCodec.decode(m.content));
      expect(fixes).toHaveLength(c.locationsConfirmed);
      if (mount === 'fixed') {
        expect(fixes).toHaveLength(1);
      } else {
        expect(fixes.length).toBeGreaterThanOrEqual(3);
        expect(fixes.every((f) => f.speedMps > 0)).toBe(true);
      }
    }
  });
});

describe('a broker outage', () => {
  it('loses nothing: the outbox and mqtt.js resends cover the gap', async () => {
    const sensorSpec = spec('OUT', 100);
    await provisionSensors(admin, [sensorSpec.serial], deviceSecret, testLogger);
    const fleet = fleetOf([sensorSpec]);
    const [sensor] = fleet.sensors;
    if (!sensor) throw new Error('no sensor');
    fleet.start();
    try {
      await vi.waitFor(() => expect(sensor.counters.batchesConfirmed).toBeGreaterThanOrEqual(2), {
        timeout: 20_000,
      });
      await stopBrokerApp();
      await vi.waitFor(() => expect(sensor.connected).toBe(false), { timeout: 20_000 });
      // Keep the broker away while about four batches are measured.
      const measuredAtStop = sensor.counters.batchesMeasured;
      await vi.waitFor(
        () => expect(sensor.counters.batchesMeasured).toBeGreaterThanOrEqual(measuredAtStop + 4),
        { timeout: 20_000, interval: 100 },
      );
      expect(sensor.counters.batchesConfirmed).toBeLessThan(sensor.counters.batchesMeasured);
      await startBrokerApp();
      await vi.waitFor(() => expect(sensor.connected).toBe(true), { timeout: 60_000 });
      const measuredAtStart = sensor.counters.batchesMeasured;
      await vi.waitFor(
        () => expect(sensor.counters.batchesConfirmed).toBeGreaterThanOrEqual(measuredAtStart + 2),
        { timeout: 60_000, interval: 100 },
      );
    } finally {
      if (brokerAppStopped) await startBrokerApp();
      expect(await fleet.stop()).toEqual({ drained: true });
    }

    const c = sensor.counters;
    expect(c.samplesDropped).toBe(0);
    expect(c.samplesConfirmed).toBe(c.samplesMeasured);
    expect(c.batchesConfirmed).toBe(c.batchesMeasured);
    const all = batchesOf((await drainBySerial(QUEUES.measurementsDbWriter)).get(sensor.serial));
    const distinct = distinctBatches(all);
    expect(distinct).toHaveLength(c.batchesMeasured);
    expect(samplesIn(distinct)).toBe(c.samplesMeasured);
    expectContiguous(distinct, 100);
    expect(distinct[0]?.sequence).toBe(c.firstSequence);
    expect(distinct.at(-1)?.sequence).toBe(c.lastSequence);
  });
});

describe('a refused login', () => {
  it('is retried: at boot before provisioning, and after mqtt.js gives up reconnecting', async () => {
    const sensorSpec = spec('AUTH', 100);
    const fleet = new Fleet({
      specs: [sensorSpec],
      deviceSecret,
      mqttUrl,
      mqttCa: mqttCa(),
      logger: testLogger,
      batchIntervalMs: 500,
      bufferBatches: 600,
      heartbeatMs: 10_000,
      reconnectPeriodMs: 200,
      offlineWatchdogMs: 2000,
    });
    const [sensor] = fleet.sensors;
    if (!sensor) throw new Error('no sensor');
    // Not provisioned yet: the broker refuses the login, the sensor measures into its outbox.
    await admin.deleteUser(sensorSpec.serial);
    fleet.start();
    try {
      await vi.waitFor(() => expect(sensor.counters.batchesMeasured).toBeGreaterThanOrEqual(2), {
        timeout: 10_000,
      });
      expect(sensor.connected).toBe(false);
      await provisionSensors(admin, [sensorSpec.serial], deviceSecret, testLogger);
      await vi.waitFor(() => expect(sensor.connected).toBe(true), { timeout: 30_000 });

      // Revoke the user: the broker closes its connection, and mqtt.js's reconnect gets a
      // refusing CONNACK and stops trying for good; the device's watchdog starts over.
      await admin.deleteUser(sensorSpec.serial);
      await vi.waitFor(() => expect(sensor.connected).toBe(false), { timeout: 10_000 });
      const measuredWhileOut = sensor.counters.batchesMeasured;
      await vi.waitFor(
        () => expect(sensor.counters.batchesMeasured).toBeGreaterThanOrEqual(measuredWhileOut + 6),
        { timeout: 20_000, interval: 100 },
      );
      await provisionSensors(admin, [sensorSpec.serial], deviceSecret, testLogger);
      await vi.waitFor(() => expect(sensor.connected).toBe(true), { timeout: 60_000 });
    } finally {
      await provisionSensors(admin, [sensorSpec.serial], deviceSecret, testLogger);
      expect(await fleet.stop()).toEqual({ drained: true });
    }
    const c = sensor.counters;
    expect(c.samplesDropped).toBe(0);
    expect(c.samplesConfirmed).toBe(c.samplesMeasured);
    const all = batchesOf((await drainBySerial(QUEUES.measurementsDbWriter)).get(sensor.serial));
    const distinct = distinctBatches(all);
    expect(distinct).toHaveLength(c.batchesMeasured);
    expectContiguous(distinct, 100);
  });
});

describe('a full outbox', () => {
  it('drops the oldest batches, counts them, and delivers the rest', async () => {
    const sensorSpec = spec('FULL', 50);
    await admin.deleteUser(sensorSpec.serial); // refused until provisioned: nothing leaves
    const fleet = new Fleet({
      specs: [sensorSpec],
      deviceSecret,
      mqttUrl,
      mqttCa: mqttCa(),
      logger: testLogger,
      batchIntervalMs: 100,
      bufferBatches: 3,
      heartbeatMs: 10_000,
    });
    const [sensor] = fleet.sensors;
    if (!sensor) throw new Error('no sensor');
    fleet.start();
    try {
      await vi.waitFor(() => expect(sensor.counters.batchesDropped).toBeGreaterThanOrEqual(5), {
        timeout: 10_000,
      });
      await provisionSensors(admin, [sensorSpec.serial], deviceSecret, testLogger);
      await vi.waitFor(() => expect(sensor.counters.batchesConfirmed).toBeGreaterThanOrEqual(5), {
        timeout: 30_000,
      });
    } finally {
      await provisionSensors(admin, [sensorSpec.serial], deviceSecret, testLogger);
      expect(await fleet.stop()).toEqual({ drained: true });
    }
    const c = sensor.counters;
    expect(c.samplesDropped).toBe(c.batchesDropped * 5);
    expect(c.samplesConfirmed + c.samplesDropped).toBe(c.samplesMeasured);
    const batches = distinctBatches(
      batchesOf((await drainBySerial(QUEUES.measurementsDbWriter)).get(sensor.serial)),
    );
    expect(batches).toHaveLength(c.batchesConfirmed);
    expect(samplesIn(batches)).toBe(c.samplesConfirmed);
    // The gap is at the start (the oldest went), and everything after it is contiguous.
    expect(batches[0]?.sequence).toBeGreaterThan(c.firstSequence ?? Infinity);
    expect(batches.at(-1)?.sequence).toBe(c.lastSequence);
    const lines = ((await drainBySerial(QUEUES.logs)).get(sensor.serial) ?? []).map((m) =>
      logLineCodec.decode(m.content),
    );
    expect(lines.find((l) => l.message.startsWith('outbox full'))).toMatchObject({
      level: 'warn',
    });
  });
});

describe('the real process', () => {
  it('runs for --duration, exits 0, and its summary file matches the queue', async () => {
    const { serial } = spec('PROC', 100);
    const dir = await mkdtemp(path.join(tmpdir(), 'sensor-simulation-'));
    const summaryFile = path.join(dir, 'summary.json');
    try {
      await run(
        'npx',
        [
          'tsx',
          'cmd/sensor-simulation/main.ts',
          '--sensor',
          `${serial}:100`,
          '--duration',
          '3',
          '--provision',
          '--summary-file',
          summaryFile,
        ],
        {
          cwd: repoRoot,
          env: serviceEnv({ IOT_HTTP_PORT: '0', IOT_DEVICE_SECRET: deviceSecret }),
          timeout: 60_000,
        },
      ); // rejects unless the exit code is 0
      const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as Summary;
      expect(summary.sensors).toHaveLength(1);
      const [s] = summary.sensors;
      expect(s).toMatchObject({ serial, sampleRateHz: 100, samplesDropped: 0 });
      if (!s) return;
      expect(s.batchesConfirmed).toBeGreaterThanOrEqual(2);
      expect(s.batchesConfirmed).toBe(s.batchesMeasured);
      expect(summary.totals).toMatchObject({
        sensors: 1,
        batchesConfirmed: s.batchesConfirmed,
        samplesConfirmed: s.samplesConfirmed,
      });

      const batches = batchesOf((await drainBySerial(QUEUES.measurementsDbWriter)).get(serial));
      expect(batches).toHaveLength(s.batchesConfirmed);
      expect(samplesIn(batches)).toBe(s.samplesConfirmed);
      const sorted = distinctBatches(batches);
      expectContiguous(sorted, 100);
      expect(sorted[0]?.sequence).toBe(s.firstSequence);
      expect(sorted.at(-1)?.sequence).toBe(s.lastSequence);
      expect((await drainBySerial(QUEUES.logs)).get(serial)).toHaveLength(s.logsConfirmed);
      expect((await drainBySerial(QUEUES.locationsDbWriter)).get(serial)).toHaveLength(
        s.locationsConfirmed,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
