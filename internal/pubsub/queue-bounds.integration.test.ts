// Every queue's bound is in force on the real broker (the policies of definitions.json), a
// full device command queue refuses the next command, and a device user's connections are
// capped (and, through broker-auth, one live MQTT session under its own client id).
import { randomBytes } from 'node:crypto';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEAD_LETTER_QUEUE, QUEUES, QUEUE_BOUNDS, rabbitDefinitions } from '../routing/index.js';
import { deviceLogin, rabbitAdmin, required } from '../../utils/test/brokers.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import { DEVICE_MAX_CONNECTIONS } from './rabbit-admin.js';

const admin = rabbitAdmin();
/** Three times the 9.3 s measured after a node restart: the first statistics of a busy node. */
const STATISTICS_WAIT_MS = 30_000;

// `utils/stack.sh up` imports definitions.json; importing again here covers a stack that was
// started before the bounds existed (additive and idempotent, like load_definitions).
beforeAll(() => admin.importDefinitions(rabbitDefinitions()));

describe('queue bounds', () => {
  it.each([...Object.values(QUEUES), DEAD_LETTER_QUEUE])(
    '%s is bounded by its policy',
    async (queue) => {
      const bound = QUEUE_BOUNDS.find((b) => new RegExp(b.pattern).test(queue));
      expect(bound, `no bound for ${queue}`).toBeDefined();
      // The management API reports a queue's effective policy from the broker's statistics,
      // collected every 5 s (collect_statistics_interval): after a node (re)starts, as the
      // data-plane e2e restarts this worker's, its queues are listed without it for a while
      // (measured: 9.3 s after start_app).
      await vi.waitFor(
        async () =>
          expect(await admin.queuePolicy(queue)).toEqual({
            'max-length': bound?.maxLength,
            'max-length-bytes': bound?.maxBytes,
            overflow: bound?.overflow,
          }),
        { timeout: STATISTICS_WAIT_MS, interval: 500 },
      );
    },
  );

  it('a full device command queue refuses the next command (nack), keeping the ones it has', async () => {
    const bound = QUEUE_BOUNDS.find((b) => b.pattern.startsWith('^mqtt-subscription'));
    const queue = `mqtt-subscription-BOUND-${randomBytes(3).toString('hex')}qos1`;
    const model = await amqplib.connect(required(stackEnv(), 'IOT_AMQP_URL'));
    try {
      const channel = await model.createConfirmChannel();
      await channel.assertQueue(queue, { exclusive: true });
      const limit = bound?.maxLength ?? 0;
      const answers = await Promise.all(
        Array.from(
          { length: limit + 1 },
          (_, i) =>
            new Promise<'ack' | 'nack'>((resolve) =>
              channel.sendToQueue(queue, Buffer.from(`command ${i}`), {}, (error) =>
                resolve(error ? 'nack' : 'ack'),
              ),
            ),
        ),
      );
      expect(answers.filter((a) => a === 'ack')).toHaveLength(limit);
      expect(answers.at(-1)).toBe('nack');
      expect((await channel.checkQueue(queue)).messageCount).toBe(limit);
    } finally {
      await model.close();
    }
  });
});

describe('message size', () => {
  it('the broker refuses a message over max_message_size (rabbitmq.conf, 1 MiB)', async () => {
    const model = await amqplib.connect(required(stackEnv(), 'IOT_AMQP_URL'));
    try {
      const channel = await model.createConfirmChannel();
      channel.on('error', () => undefined); // the broker closes the channel: expected below
      const queue = (await channel.assertQueue('', { exclusive: true })).queue;
      const answer = new Promise<string>((resolve) => {
        channel.on('close', () => resolve('channel closed'));
        channel.sendToQueue(queue, Buffer.alloc(2 * 1024 * 1024), {}, (error) =>
          resolve(error ? 'nacked' : 'taken'),
        );
      });
      expect(await answer).not.toBe('taken');
    } finally {
      await model.close().catch(() => undefined);
    }
  });
});

describe('device connection limit', () => {
  const serial = `LIMIT-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  beforeAll(() => admin.ensureDeviceUser(serial, password));
  afterAll(() => admin.deleteDevice(serial));

  const login = () => deviceLogin({ username: serial, password, clean: true });

  it(`caps a device user at ${DEVICE_MAX_CONNECTIONS} connections on the broker`, async () => {
    expect(await admin.userLimits(serial)).toEqual({ 'max-connections': DEVICE_MAX_CONNECTIONS });
  });

  it('holds a device to one live connection: its next login under its own id replaces it', async () => {
    // A device reconnecting before the broker noticed its old socket died; any other client
    // id, and AMQP, are refused outright (cmd/broker-auth/device-isolation.integration.test.ts).
    const first = await login();
    const firstClosed = new Promise<void>((resolve) => first.onClose(resolve));
    const second = await login();
    await firstClosed;
    expect(first.connected).toBe(false);
    expect(second.connected).toBe(true);
    await second.close();
  });
});
