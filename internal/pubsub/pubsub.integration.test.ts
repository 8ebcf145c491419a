// The messaging layer against the real RabbitMQ of the local stack: confirms, routing, the MQTT
// plugin and device permissions, dead letters with reasons, and surviving a killed connection.
import { randomBytes } from 'node:crypto';
import type { Channel, ChannelModel } from 'amqplib';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_QUEUE,
  EXCHANGE,
  QUEUES,
  deviceKey,
  deviceTopic,
  measurementBatchCodec,
} from '../routing/index.js';
import {
  drainQueue,
  mqttCa,
  openConnection,
  rabbitAdmin,
  rawChannel,
  required,
  testLogger,
} from '../../utils/test/brokers.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import type { AmqpConnection } from './connection.js';
import { Consumer, consumersReady, type Delivery } from './consumer.js';
import { MqttClient } from './mqtt-client.js';
import { ack, deadLetter, requeue, waitFor, type Outcome } from './outcome.js';
import type { Publisher } from './publisher.js';

const admin = rabbitAdmin();
let connection: AmqpConnection;
let publisher: Publisher;
let raw: { model: ChannelModel; channel: Channel };
let consumers: Consumer[] = [];

beforeAll(async () => {
  ({ connection, publisher } = await openConnection('pubsub-test'));
  raw = await rawChannel();
});
afterAll(async () => {
  await connection.close();
  await raw.model.close();
});
beforeEach(async () => {
  for (const queue of [
    QUEUES.logs,
    QUEUES.measurementsDbWriter,
    QUEUES.measurementsAnalytics,
    DEAD_LETTER_QUEUE,
  ]) {
    await admin.purgeQueue(queue);
  }
});
afterEach(async () => {
  for (const consumer of consumers) await consumer.close();
  consumers = [];
});

/** Starts a consumer whose handler decides by `decide`; returns what it saw. */
async function consume(
  queue: string,
  decide: (d: Delivery, seen: number) => Outcome,
  registry?: Registry,
) {
  const seen: Delivery[] = [];
  const settled: string[] = [];
  const consumer = await Consumer.start(connection, {
    registry,
    queue,
    publisher,
    logger: testLogger,
    prefetch: 10,
    handler: (delivery) => {
      seen.push(delivery);
      return Promise.resolve(decide(delivery, seen.length));
    },
    onSettled: (kind) => settled.push(kind),
  });
  consumers.push(consumer);
  return { seen, settled, consumer };
}

const text = (s: string) => new TextEncoder().encode(s);

describe('publishing with confirms', () => {
  it('every confirmed message is in the bound quorum queue, in order', async () => {
    const key = deviceKey('PUB-1', 'logs');
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => publisher.publish(EXCHANGE, key, text(`line ${i}`))),
    );
    const messages = await drainQueue(raw.channel, QUEUES.logs);
    expect(messages.map((m) => m.content.toString())).toEqual(
      Array.from({ length: 50 }, (_, i) => `line ${i}`),
    );
    expect(messages.every((m) => m.fields.routingKey === key)).toBe(true);
  });

  it('a measurement goes to both the db writer and the analytics queue', async () => {
    await publisher.publish(EXCHANGE, deviceKey('PUB-2', 'measurements'), text('m'));
    expect(await drainQueue(raw.channel, QUEUES.measurementsDbWriter)).toHaveLength(1);
    expect(await drainQueue(raw.channel, QUEUES.measurementsAnalytics)).toHaveLength(1);
  });
});

describe('mandatory publishing', () => {
  it('says whether a queue took the message', async () => {
    const serial = `MAND-${randomBytes(3).toString('hex')}`;
    const key = deviceKey(serial, 'commands');
    const first = await publisher.publish(EXCHANGE, key, text('nobody'), {
      mandatory: true,
      messageId: 'm-1',
    });
    expect(first).toEqual({ routed: false });

    const { queue } = await raw.channel.assertQueue('', { exclusive: true });
    await raw.channel.bindQueue(queue, EXCHANGE, key);
    const second = await publisher.publish(EXCHANGE, key, text('kept'), {
      mandatory: true,
      messageId: 'm-2',
    });
    expect(second).toEqual({ routed: true });
    const kept = await drainQueue(raw.channel, queue);
    expect(kept.map((m) => m.content.toString())).toEqual(['kept']);
  });
});

describe('devices over MQTT', () => {
  const serial = `MQTT-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const url = required(stackEnv(), 'IOT_MQTT_URL');

  const connectDevice = (options: { password?: string; reconnectPeriodMs?: number } = {}) =>
    MqttClient.connect({
      url,
      ca: mqttCa(),
      clientId: serial,
      username: serial,
      password,
      logger: testLogger,
      ...options,
    });

  beforeAll(() => admin.ensureDeviceUser(serial, password));
  afterAll(() => admin.deleteUser(serial));

  it('a QoS 1 publish on sensor/<serial>/measurements arrives on sensor.all.measurements.db_writer', async () => {
    const device = await connectDevice();
    try {
      for (let sequence = 1; sequence <= 10; sequence++) {
        const batch = measurementBatchCodec.encode({
          serial,
          sequence,
          startTimeUs: Date.now() * 1000,
          sampleRateHz: 100,
          values: [0.1, 0.2, 0.3],
          publishedAtMs: Date.now(),
        });
        await device.publish(deviceTopic(serial, 'measurements'), batch);
      }
    } finally {
      await device.close();
    }
    const messages = await drainQueue(raw.channel, QUEUES.measurementsDbWriter);
    expect(messages.map((m) => m.fields.routingKey)).toEqual(
      Array(10).fill(`sensor.${serial}.measurements`),
    );
    expect(messages.map((m) => measurementBatchCodec.decode(m.content).sequence)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  });

  it("a device cannot publish on another serial's topic", async () => {
    const device = await connectDevice({ reconnectPeriodMs: 0 });
    // The broker refuses the publish by closing the connection: the PUBACK never comes.
    const outcome = await Promise.race([
      device
        .publish(deviceTopic('SOMEONE-ELSE', 'measurements'), text('forged'))
        .then(() => 'acked'),
      new Promise((resolve) => device.onClose(() => resolve('closed'))),
    ]);
    await device.close(true);
    expect(outcome).toBe('closed');
    expect(await drainQueue(raw.channel, QUEUES.measurementsDbWriter)).toHaveLength(0);
  });

  it('a wrong password is refused at connect', async () => {
    await expect(connectDevice({ password: 'wrong', reconnectPeriodMs: 0 })).rejects.toThrow(
      /not authorized|bad user name or password|Connection refused/i,
    );
  });
});

describe('consuming with explicit outcomes', () => {
  it('nack to the dead-letter queue carries the reason and the original routing key', async () => {
    const registry = new Registry();
    const { settled } = await consume(
      QUEUES.logs,
      (d) => deadLetter(`cannot parse ${d.body.toString()}`, 'undecodable'),
      registry,
    );
    for (const body of ['a', 'b', 'c'])
      await publisher.publish(EXCHANGE, deviceKey('DL-1', 'logs'), text(body));
    await vi.waitFor(() => expect(settled).toHaveLength(3), { timeout: 10_000 });
    const dead = await drainQueue(raw.channel, DEAD_LETTER_QUEUE);
    expect(dead.map((m) => m.properties.headers?.[DEAD_LETTER_HEADERS.reason] as string)).toEqual([
      'cannot parse a',
      'cannot parse b',
      'cannot parse c',
    ]);
    expect(dead.every((m) => m.fields.routingKey === 'sensor.DL-1.logs')).toBe(true);
    expect(dead[0]?.properties.headers?.[DEAD_LETTER_HEADERS.queue]).toBe(QUEUES.logs);
    // Settled means gone from the work queue.
    expect(await drainQueue(raw.channel, QUEUES.logs)).toHaveLength(0);
    // Counted by source queue and cause, not by the free-text reason.
    const counted = await registry.getSingleMetric('iot_dead_letters_total')?.get();
    expect(counted?.values).toEqual([
      { labels: { queue: QUEUES.logs, cause: 'undecodable' }, value: 3 },
    ]);
  });

  it('requeue delivers the message again, and a throwing handler does not lose it', async () => {
    const { seen, settled } = await consume(QUEUES.logs, (_d, n) => {
      if (n === 1) return requeue();
      if (n === 2) throw new Error('database down');
      return ack();
    });
    await publisher.publish(EXCHANGE, deviceKey('RQ-1', 'logs'), text('retry me'));
    await vi.waitFor(() => expect(settled).toEqual(['requeue', 'requeue', 'ack']), {
      timeout: 10_000,
    });
    expect(seen.map((d) => d.body.toString())).toEqual(['retry me', 'retry me', 'retry me']);
    expect(seen[2]?.deliveryCount).toBe(2);
    expect(await drainQueue(raw.channel, QUEUES.logs)).toHaveLength(0);
  });

  it('wait-for holds the delivery unsettled, stops consuming and retries until it passes', async () => {
    let refusals = 0;
    const { seen, settled, consumer } = await consume(QUEUES.logs, (d) => {
      if (d.body.toString() !== 'first' || refusals >= 3) return ack();
      refusals++;
      return waitFor('database', 'connect ECONNREFUSED');
    });
    await publisher.publish(EXCHANGE, deviceKey('WF-1', 'logs'), text('first'));
    await vi.waitFor(() => expect(consumer.waiting).toBeDefined(), { timeout: 10_000 });
    expect(consumersReady([consumer])()).toEqual({
      ready: false,
      reason: expect.stringMatching(
        /^sensor\.all\.logs: waiting for database since .* \(1 held\): connect ECONNREFUSED$/,
      ) as string,
    });
    // Published while the first is held: not delivered until the first gets past the wait.
    for (const body of ['second', 'third'])
      await publisher.publish(EXCHANGE, deviceKey('WF-1', 'logs'), text(body));
    await vi.waitFor(() => expect(settled).toEqual(['ack', 'ack', 'ack']), { timeout: 15_000 });
    expect(seen.map((d) => d.body.toString())).toEqual([
      'first',
      'first',
      'first',
      'first',
      'second',
      'third',
    ]);
    // Held, never given back: the broker never counted a redelivery.
    expect(seen.every((d) => d.deliveryCount === 0 && !d.redelivered)).toBe(true);
    expect(consumer.waiting).toBeUndefined();
    expect(consumersReady([consumer])()).toEqual({ ready: true });
    expect(await drainQueue(raw.channel, QUEUES.logs)).toHaveLength(0);
  });

  it('drain waits for messages in flight and then stops consuming', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowSettled: string[] = [];
    const slow = await Consumer.start(connection, {
      queue: QUEUES.logs,
      publisher,
      logger: testLogger,
      handler: async () => {
        await gate;
        return ack();
      },
      onSettled: (kind) => slowSettled.push(kind),
    });
    await publisher.publish(EXCHANGE, deviceKey('DR-1', 'logs'), text('slow'));
    await vi.waitFor(() => expect(slow.inFlightCount).toBe(1), { timeout: 10_000 });
    const drained = slow.drain();
    release();
    await drained;
    expect(slowSettled).toEqual(['ack']);
    await publisher.publish(EXCHANGE, deviceKey('DR-1', 'logs'), text('after drain'));
    expect((await drainQueue(raw.channel, QUEUES.logs)).map((m) => m.content.toString())).toEqual([
      'after drain',
    ]);
    await slow.close();
  });
});

describe('surviving the broker closing the connection', () => {
  it('the consumer and the publisher come back and nothing is lost', async () => {
    const { seen } = await consume(QUEUES.logs, () => ack());
    await publisher.publish(EXCHANGE, deviceKey('RC-1', 'logs'), text('before'));
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 10_000 });

    const names = await vi.waitFor(
      async () => {
        const found = await admin.connections({ clientName: 'pubsub-test' });
        expect(found).toHaveLength(1);
        return found;
      },
      { timeout: 15_000, interval: 500 },
    );
    await admin.closeConnection(names[0] as string, 'test: killing the connection');
    await vi.waitFor(() => expect(connection.reconnectCount).toBeGreaterThanOrEqual(1), {
      timeout: 30_000,
    });

    await publisher.publish(EXCHANGE, deviceKey('RC-1', 'logs'), text('after'));
    await vi.waitFor(() => expect(seen.map((d) => d.body.toString())).toContain('after'), {
      timeout: 15_000,
    });
    expect(seen.map((d) => d.body.toString()).filter((b) => b === 'before')).toHaveLength(1);
  });
});
