// A simulated sensor obeying commands, against the real local stack: commands go in as the
// platform sends them (AMQP, exchange `iot`, key sensor.<serial>.commands, routed by the broker
// to the device's MQTT subscription), and a queue of the test's own, bound to the sensor's acks,
// batches, logs and registrations, counts what really comes out. Run under the shared lock:
//   flock /tmp/iot-integration.lock npx vitest run --project integration cmd/sensor-simulation/commands
import { randomBytes } from 'node:crypto';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  COMMANDS_KIND,
  EXCHANGE,
  QUEUES,
  commandAckCodec,
  commandCodec,
  deviceKey,
  logLineCodec,
  measurementBatchCodec,
  mqttSubscriptionQueue,
  registrationCodec,
  type CommandAck,
  type CommandAction,
  type DeviceKind,
  type LogLine,
  type MeasurementBatch,
  type Registration,
} from '../../internal/routing/index.js';
import { provisionSensors } from '../../internal/simulation/index.js';
import {
  mqttCa,
  openConnection,
  rabbitAdmin,
  rawChannel,
  required,
  testLogger,
} from '../../utils/test/brokers.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import type { SimulatedSensor } from './device.js';
import { Fleet } from './fleet.js';
import { buildSummary } from './summary.js';

const env = stackEnv();
const admin = rabbitAdmin();
const deviceSecret = env.IOT_DEVICE_SECRET || randomBytes(16).toString('hex');
const serial = `SIMC-${randomBytes(3).toString('hex').toUpperCase()}`;
const BATCH_INTERVAL_MS = 200;
const HEARTBEAT_MS = 250;
const WAIT = { timeout: 15_000, interval: 50 };

/** Everything the sensor published, as it arrived in the test's own queue. */
const seen = {
  acks: [] as { ack: CommandAck; raw: Buffer }[],
  batches: [] as MeasurementBatch[],
  logs: [] as LogLine[],
  registrations: [] as Registration[],
};
const KINDS: readonly DeviceKind[] = ['acks', 'measurements', 'logs', 'registry'];
const FED_QUEUES = [
  QUEUES.acksApi,
  QUEUES.measurementsDbWriter,
  QUEUES.measurementsAnalytics,
  QUEUES.logs,
  QUEUES.registry,
  QUEUES.registryApi,
  QUEUES.locationsDbWriter,
];

let model: ChannelModel;
let channel: Channel;
let connection: AmqpConnection;
let publisher: Publisher;
let fleet: Fleet;
let sensor: SimulatedSensor;

function collect(message: ConsumeMessage | null): void {
  if (!message) return;
  const kind = message.fields.routingKey.split('.').at(-1);
  const body = message.content;
  if (kind === 'acks') seen.acks.push({ ack: commandAckCodec.decode(body), raw: body });
  else if (kind === 'measurements') seen.batches.push(measurementBatchCodec.decode(body));
  else if (kind === 'logs') seen.logs.push(logLineCodec.decode(body));
  else if (kind === 'registry') seen.registrations.push(registrationCodec.decode(body));
}

beforeAll(async () => {
  ({ model, channel } = await rawChannel());
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  for (const kind of KINDS) await channel.bindQueue(queue, EXCHANGE, deviceKey(serial, kind));
  await channel.consume(queue, collect, { noAck: true });
  ({ connection, publisher } = await openConnection('sensor-simulation-commands-test'));
  await provisionSensors(admin, [serial], deviceSecret, testLogger);
  fleet = new Fleet({
    specs: [{ serial, sampleRateHz: 100, mount: 'fixed' }],
    deviceSecret,
    mqttUrl: required(env, 'IOT_MQTT_URL'),
    mqttCa: mqttCa(),
    logger: testLogger,
    batchIntervalMs: BATCH_INTERVAL_MS,
    bufferBatches: 600,
    heartbeatMs: HEARTBEAT_MS,
    reconnectPeriodMs: 200,
  });
  [sensor] = fleet.sensors as [SimulatedSensor];
  fleet.start();
});

afterAll(async () => {
  await fleet.stop({ timeoutMs: 5000 });
  await connection.close();
  await admin.deleteUser(serial);
  // A persistent MQTT session's queue outlives the device (mqtt.subscription_ttl = infinity).
  await channel.deleteQueue(mqttSubscriptionQueue(serial));
  await model.close();
  for (const queue of FED_QUEUES) await admin.purgeQueue(queue);
});

let commandCount = 0;

function command(action: CommandAction, options: { expiresInMs?: number } = {}) {
  const id = `${serial}-${++commandCount}`;
  const now = Date.now();
  const bytes = commandCodec.encode({
    id,
    issuedAtMs: now,
    expiresAtMs: now + (options.expiresInMs ?? 60_000),
    action,
  });
  return { id, bytes };
}

async function send(bytes: Uint8Array): Promise<void> {
  await publisher.publish(EXCHANGE, deviceKey(serial, COMMANDS_KIND), bytes);
}

/** Sends a command and waits for its ack. */
async function ask(
  action: CommandAction,
  options: { expiresInMs?: number } = {},
): Promise<CommandAck> {
  const { id, bytes } = command(action, options);
  await send(bytes);
  return vi.waitFor(() => {
    const found = seen.acks.find((a) => a.ack.commandId === id);
    if (!found) throw new Error(`no ack for ${id} yet`);
    return found.ack;
  }, WAIT);
}

const endUs = (b: MeasurementBatch) => b.startTimeUs + (b.values.length * 1e6) / b.sampleRateHz;
const sorted = () => [...seen.batches].sort((a, b) => a.sequence - b.sequence);

/** Each batch follows the previous one: next sequence, starting exactly where it ended. */
function expectUnbroken(batches: MeasurementBatch[]): void {
  batches.forEach((b, i) => {
    const previous = batches[i - 1];
    if (!previous) return;
    expect(b.sequence).toBe(previous.sequence + 1);
    expect(b.startTimeUs).toBe(endUs(previous));
  });
}

/** Waits for `count` heartbeats logged after `afterMs`, and returns them. */
async function heartbeatsAfter(afterMs: number, count: number): Promise<LogLine[]> {
  return vi.waitFor(() => {
    const beats = seen.logs.filter((l) => l.message === 'heartbeat' && l.timeMs > afterMs);
    expect(beats.length).toBeGreaterThanOrEqual(count);
    return beats;
  }, WAIT);
}

// The steps share one sensor and run in order: each starts from the state the last one left.
describe('a sensor taking commands', () => {
  let lastBeforeSleep: MeasurementBatch;

  it('subscribes, then announces itself awake at its boot rate', async () => {
    await vi.waitFor(() => expect(seen.registrations).toHaveLength(1), WAIT);
    expect(seen.registrations[0]).toMatchObject({ serial, sampleFrequencyHz: 100, state: 'awake' });
    await vi.waitFor(() => expect(seen.batches.length).toBeGreaterThanOrEqual(3), WAIT);
  });

  it('sleep: applied; batches stop at the ack, logs go on', async () => {
    const ack = await ask({ type: 'sleep' });
    expect(ack).toMatchObject({ serial, outcome: 'applied' });
    const measuredAtAck = sensor.counters.batchesMeasured;
    // Two heartbeats after the ack: the sensor lived through two more batch intervals.
    const beats = await heartbeatsAfter(ack.atMs, 2);
    expect(beats.every((b) => b.fields.state === 'asleep')).toBe(true);
    expect(sensor.counters.batchesMeasured).toBe(measuredAtAck);
    // Every batch measured has arrived, and none of them reaches past the sleep.
    await vi.waitFor(() => expect(seen.batches).toHaveLength(measuredAtAck), WAIT);
    expect(seen.batches.every((b) => endUs(b) <= ack.atMs * 1000)).toBe(true);
    expectUnbroken(sorted());
    lastBeforeSleep = sorted().at(-1) as MeasurementBatch;
    expect(seen.logs.map((l) => l.message)).toContain(`command ${ack.commandId} sleep: applied`);
  });

  it('a rate set while asleep is applied when it wakes; a reconnect re-announces both', async () => {
    const ack = await ask({ type: 'set_sample_frequency', hz: 50 });
    expect(ack).toMatchObject({ outcome: 'applied', reason: '50 Hz from the next wake-up' });

    // The management API lists a connection once its stats have been collected.
    const connections = await vi.waitFor(async () => {
      const found = await admin.connections({ user: serial });
      expect(found).toHaveLength(1);
      return found;
    }, WAIT);
    const announced = seen.registrations.length;
    for (const name of connections) await admin.closeConnection(name, 'test: network drop');
    await vi.waitFor(() => expect(seen.registrations.length).toBe(announced + 1), WAIT);
    expect(seen.registrations.at(-1)).toMatchObject({ sampleFrequencyHz: 50, state: 'asleep' });
    expect(sensor.counters.batchesMeasured).toBe(seen.batches.length);
  });

  it('awake: applied; batches resume at the wake time, sequences running on', async () => {
    const sentMs = Date.now();
    const ack = await ask({ type: 'awake' });
    expect(ack.outcome).toBe('applied');
    await vi.waitFor(
      () =>
        expect(
          seen.batches.filter((b) => b.sequence > lastBeforeSleep.sequence).length,
        ).toBeGreaterThanOrEqual(3),
      WAIT,
    );
    const [first, ...rest] = sorted().filter((b) => b.sequence > lastBeforeSleep.sequence);
    expect(first).toMatchObject({ sequence: lastBeforeSleep.sequence + 1, sampleRateHz: 50 });
    expect(first?.values).toHaveLength(10);
    expect(first?.startTimeUs).toBeGreaterThanOrEqual(sentMs * 1000);
    expect(first?.startTimeUs).toBeLessThanOrEqual(ack.atMs * 1000);
    expectUnbroken([first as MeasurementBatch, ...rest]);
  });

  it('set_sample_frequency 200: applied at the next batch boundary, no gap', async () => {
    const ack = await ask({ type: 'set_sample_frequency', hz: 200 });
    expect(ack).toMatchObject({ outcome: 'applied' });
    await vi.waitFor(
      () =>
        expect(seen.batches.filter((b) => b.sampleRateHz === 200).length).toBeGreaterThanOrEqual(2),
      WAIT,
    );
    const awake = sorted().filter((b) => b.sequence > lastBeforeSleep.sequence);
    expectUnbroken(awake);
    const firstFast = awake.find((b) => b.sampleRateHz === 200) as MeasurementBatch;
    expect(firstFast.values).toHaveLength(40);
    const lastSlow = awake[awake.indexOf(firstFast) - 1];
    expect(lastSlow?.sampleRateHz).toBe(50);
    expect(ack.reason).toBe(
      `200 Hz from ${new Date(firstFast.startTimeUs / 1000).toISOString()}, the next batch boundary`,
    );
    expect(
      awake.filter((b) => b.sequence > firstFast.sequence).every((b) => b.sampleRateHz === 200),
    ).toBe(true);
  });

  it('set_sample_frequency 333.3: rejected with the reason, nothing changes', async () => {
    const ack = await ask({ type: 'set_sample_frequency', hz: 333.3 });
    expect(ack.outcome).toBe('rejected');
    expect(ack.reason).toContain('333.3 Hz is not an output data rate');
    expect(sensor.sampleRateHz).toBe(200);
    const after = seen.batches.length;
    await vi.waitFor(() => expect(seen.batches.length).toBeGreaterThanOrEqual(after + 2), WAIT);
    expect(seen.batches.slice(after).every((b) => b.sampleRateHz === 200)).toBe(true);
  });

  it('an expired sleep: acked expired, and the sensor keeps measuring', async () => {
    const ack = await ask({ type: 'sleep' }, { expiresInMs: -1000 });
    expect(ack.outcome).toBe('expired');
    expect(ack.reason).toMatch(/^expired at \d{4}-\d\d-\d\dT.*Z before the device received it$/);
    await vi.waitFor(
      () =>
        expect(
          seen.batches.filter((b) => b.startTimeUs >= ack.atMs * 1000).length,
        ).toBeGreaterThanOrEqual(2),
      WAIT,
    );
    expect(sensor.powerState).toBe('awake');
  });

  it('an undecodable command: one error line, and the sensor carries on', async () => {
    await send(Uint8Array.from([0xff, 0xff, 0xff, 0x07]));
    const line = await vi.waitFor(() => {
      const found = seen.logs.find((l) => l.message === 'command ignored: cannot be decoded');
      if (!found) throw new Error('no error line yet');
      return found;
    }, WAIT);
    expect(line.level).toBe('error');
  });

  it('the same command twice: applied once, acked twice identically', async () => {
    const applied = sensor.counters.commandsApplied;
    const { id, bytes } = command({ type: 'set_sample_frequency', hz: 100 });
    await send(bytes);
    await send(bytes);
    const acks = await vi.waitFor(() => {
      const found = seen.acks.filter((a) => a.ack.commandId === id);
      expect(found).toHaveLength(2);
      return found;
    }, WAIT);
    expect(acks[0]?.ack.outcome).toBe('applied');
    expect(acks[1]?.raw).toEqual(acks[0]?.raw);
    expect(sensor.counters.commandsApplied).toBe(applied + 1);
    const lines = seen.logs.filter((l) => l.fields.command_id === id).map((l) => l.message);
    expect(lines).toEqual([
      `command ${id} set_sample_frequency 100 Hz: applied`,
      `command ${id} received again: acknowledged as applied again`,
    ]);
  });

  it('counts every command in the summary, and delivered everything it measured', async () => {
    expect(await fleet.stop()).toEqual({ drained: true });
    const [summary] = buildSummary([sensor]).sensors;
    expect(summary).toMatchObject({
      serial,
      sampleRateHz: 100,
      commandsApplied: 5,
      commandsRejected: 1,
      commandsExpired: 1,
    });
    expect(sensor.counters.acksConfirmed).toBe(8);
    await vi.waitFor(
      () => expect(seen.batches).toHaveLength(sensor.counters.batchesMeasured),
      WAIT,
    );
    expect(seen.acks).toHaveLength(8);
    expectUnbroken(sorted().filter((b) => b.sequence > lastBeforeSleep.sequence));
  });
});
