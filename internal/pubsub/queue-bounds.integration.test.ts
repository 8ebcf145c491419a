// Every queue's bound is in force on the real broker (the policies of definitions.json), a
// full device command queue refuses the next command, and a device user's connections are
// capped.
import { randomBytes } from 'node:crypto';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_QUEUE, QUEUES, QUEUE_BOUNDS, rabbitDefinitions } from '../routing/index.js';
import { rabbitAdmin, required } from '../../utils/test/brokers.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import { DEVICE_MAX_CONNECTIONS } from './rabbit-admin.js';

const admin = rabbitAdmin();

// `utils/stack.sh up` imports definitions.json; importing again here covers a stack that was
// started before the bounds existed (additive and idempotent, like load_definitions).
beforeAll(() => admin.importDefinitions(rabbitDefinitions()));

describe('queue bounds', () => {
  it.each([...Object.values(QUEUES), DEAD_LETTER_QUEUE])(
    '%s is bounded by its policy',
    async (queue) => {
      const bound = QUEUE_BOUNDS.find((b) => new RegExp(b.pattern).test(queue));
      expect(bound, `no bound for ${queue}`).toBeDefined();
      expect(await admin.queuePolicy(queue)).toEqual({
        'max-length': bound?.maxLength,
        'max-length-bytes': bound?.maxBytes,
        overflow: bound?.overflow,
      });
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
  afterAll(() => admin.deleteUser(serial));

  it(`allows a device user ${DEVICE_MAX_CONNECTIONS} connections and refuses the next`, async () => {
    const url = new URL(required(stackEnv(), 'IOT_AMQP_URL'));
    url.username = serial;
    url.password = password;
    const open: amqplib.ChannelModel[] = [];
    try {
      for (let i = 0; i < DEVICE_MAX_CONNECTIONS; i++) open.push(await amqplib.connect(url.href));
      // The same credentials that just worked: the broker closes the connection at open
      // (amqplib 0.10 reports the close, not its text "user connection limit").
      await expect(amqplib.connect(url.href)).rejects.toThrow(
        /Expected ConnectionOpenOk; got <ConnectionClose/,
      );
    } finally {
      for (const model of open) await model.close();
    }
  });
});
