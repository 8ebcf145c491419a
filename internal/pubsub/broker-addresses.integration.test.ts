// A list of broker addresses whose first node is down (a port nobody listens on) against the
// real broker of the local stack: the AMQP connection and an MQTT client both reach the node
// that answers, and after a killed connection the AMQP side goes round the list again and
// publishes with confirms as before. The three-node cluster itself: test/e2e/cluster.test.ts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../utils/free-port.js';
import {
  drainQueue,
  mqttCa,
  rabbitAdmin,
  rawChannel,
  required,
  testLogger,
} from '../../utils/test/brokers.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import { EXCHANGE, QUEUES, deviceKey, deviceTopic } from '../routing/index.js';
import { AmqpConnection } from './connection.js';
import { MqttClient } from './mqtt-client.js';
import { Publisher } from './publisher.js';

const admin = rabbitAdmin();

/** `url` with its port changed to one nothing listens on: a node that is down. */
async function downNode(url: string): Promise<string> {
  const dead = new URL(url);
  dead.port = String(await freePort());
  return dead.toString();
}

describe('a list of broker addresses whose first node is down', () => {
  const serial = `ADDR-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  beforeAll(async () => {
    await admin.ensureDeviceUser(serial, password);
    await admin.purgeQueue(QUEUES.logs);
  });
  afterAll(async () => {
    await admin.deleteDevice(serial);
    await admin.purgeQueue(QUEUES.logs);
  });

  it('AMQP: connects to the next node, and after a killed connection comes round again', async () => {
    const url = required(stackEnv(), 'IOT_AMQP_URL');
    const connection = await AmqpConnection.open({
      url: `${await downNode(url)},${url}`,
      logger: testLogger,
      name: 'addresses-test',
    });
    try {
      const publisher = await Publisher.create(connection, { logger: testLogger });
      const key = deviceKey(serial, 'logs');
      await publisher.publish(EXCHANGE, key, Buffer.from('before'));
      const [name] = await vi.waitFor(
        async () => {
          const found = await admin.connections({ clientName: 'addresses-test' });
          expect(found).toHaveLength(1);
          return found;
        },
        { timeout: 15_000 },
      );
      await admin.closeConnection(name as string, 'test: the node went away');
      // The next attempt goes to the down node first, then to the one that answers.
      await vi.waitFor(() => expect(connection.reconnectCount).toBe(1), { timeout: 30_000 });
      await publisher.publish(EXCHANGE, key, Buffer.from('after'));
      const raw = await rawChannel();
      try {
        const bodies = (await drainQueue(raw.channel, QUEUES.logs)).map((m) =>
          m.content.toString(),
        );
        expect(bodies).toEqual(['before', 'after']);
      } finally {
        await raw.model.close();
      }
    } finally {
      await connection.close();
    }
  });

  it('MQTT: a device connects to the next node and its QoS 1 publish is acknowledged', async () => {
    const url = required(stackEnv(), 'IOT_MQTT_URL');
    const client = await MqttClient.connect({
      url: `${await downNode(url)},${url}`,
      ca: mqttCa(),
      clientId: serial,
      username: serial,
      password,
      logger: testLogger,
      clean: true,
      reconnectPeriodMs: 100,
    });
    try {
      await client.publish(deviceTopic(serial, 'logs'), Buffer.from('over mqtt'));
      const raw = await rawChannel();
      try {
        const bodies = (await drainQueue(raw.channel, QUEUES.logs)).map((m) =>
          m.content.toString(),
        );
        expect(bodies).toEqual(['over mqtt']);
      } finally {
        await raw.model.close();
      }
    } finally {
      await client.close(true);
    }
  });

  it('MQTT: with every node down, the first connect fails instead of waiting forever', async () => {
    const url = required(stackEnv(), 'IOT_MQTT_URL');
    await expect(
      MqttClient.connect({
        url: `${await downNode(url)},${await downNode(url)}`,
        ca: mqttCa(),
        clientId: serial,
        username: serial,
        password,
        logger: testLogger,
        reconnectPeriodMs: 100,
      }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
