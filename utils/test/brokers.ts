// Test helpers for the local stack's broker: a connection, a publisher, the management API and
// a raw channel to look into queues, all from `.stack/env`.
import { readFileSync } from 'node:fs';
import amqplib, { type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import {
  AmqpConnection,
  MqttClient,
  Publisher,
  RabbitAdmin,
  brokerAddresses,
} from '../../internal/pubsub/index.js';
import { DEAD_LETTER_QUEUE } from '../../internal/routing/index.js';
import { createLogger } from '../../internal/telemetry/index.js';
import { stackEnv } from './stack-env.js';

export const testLogger = createLogger(
  'test',
  process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent',
);

/** The management API of node 1, or of the node at `managementUrl` (a cluster's other nodes). */
export function rabbitAdmin(managementUrl?: string): RabbitAdmin {
  const env = stackEnv();
  return new RabbitAdmin({
    url: managementUrl ?? required(env, 'IOT_RABBITMQ_MANAGEMENT_URL'),
    username: required(env, 'IOT_RABBITMQ_ADMIN_USERNAME'),
    password: required(env, 'IOT_RABBITMQ_ADMIN_PASSWORD'),
  });
}

export async function openConnection(
  name: string,
): Promise<{ connection: AmqpConnection; publisher: Publisher }> {
  const connection = await AmqpConnection.open({
    url: required(stackEnv(), 'IOT_AMQP_URL'),
    logger: testLogger,
    name,
  });
  const publisher = await Publisher.create(connection, { logger: testLogger });
  return { connection, publisher };
}

/**
 * A plain amqplib channel for looking into queues without any of our own code in the way, on
 * the first node of IOT_AMQP_URL that answers (a cluster may have lost one).
 */
export async function rawChannel(): Promise<{ model: ChannelModel; channel: Channel }> {
  const failures: unknown[] = [];
  for (const url of brokerAddresses(required(stackEnv(), 'IOT_AMQP_URL'))) {
    try {
      const model = await amqplib.connect(url);
      const channel = await model.createChannel();
      return { model, channel };
    } catch (error) {
      failures.push(error);
    }
  }
  throw new AggregateError(failures, 'no broker node answered');
}

/** Ready messages in the dead-letter queue, asked of the broker itself. */
export async function deadLetterCount(): Promise<number> {
  const { model, channel } = await rawChannel();
  try {
    return (await channel.checkQueue(DEAD_LETTER_QUEUE)).messageCount;
  } finally {
    await model.close();
  }
}

/** Takes every message currently ready in `queue` (acking them). */
export async function drainQueue(channel: Channel, queue: string): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (message === false) return messages;
    messages.push(message);
  }
}

export function required(env: Record<string, string>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} missing from .stack/env; run utils/stack.sh up`);
  return value;
}

/** The stack's CA, for devices' MQTT over TLS (IOT_MQTT_URL is mqtts://). */
export function mqttCa(): string {
  return readFileSync(required(stackEnv(), 'IOT_TLS_CA_FILE'), 'utf8');
}

/**
 * One device login over MQTT (TLS, as devices connect), to the stack in use unless `url` says
 * otherwise. No automatic reconnect: a refused CONNACK rejects, and a close stays closed.
 */
export function deviceLogin(options: {
  username: string;
  password: string;
  /** The username unless given. */
  clientId?: string;
  clean?: boolean;
  url?: string;
}): Promise<MqttClient> {
  return MqttClient.connect({
    url: options.url ?? required(stackEnv(), 'IOT_MQTT_URL'),
    ca: mqttCa(),
    clientId: options.clientId ?? options.username,
    username: options.username,
    password: options.password,
    clean: options.clean,
    logger: testLogger,
    reconnectPeriodMs: 0,
  });
}
