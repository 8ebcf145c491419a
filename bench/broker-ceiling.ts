// RabbitMQ's ceiling for this traffic: the same number of measurement messages, of the same
// size, published with confirms to exchange `iot` and consumed from the db_writer queue with
// nothing behind the consumer (ack each). The ingesters must be stopped first, and the
// queues purged afterwards (the analytics queue gets a copy of everything too).
import amqplib from 'amqplib';
import { AmqpConnection, Publisher } from '../internal/pubsub/index.js';
import { EXCHANGE, QUEUES, deviceKey, measurementBatchCodec } from '../internal/routing/index.js';
import type { Logger } from '../internal/telemetry/index.js';

export interface BrokerCeiling {
  messages: number;
  samplesPerMessage: number;
  seconds: number;
  messagesPerSecond: number;
  samplesPerSecond: number;
}

export interface BrokerCeilingInput {
  amqpUrl: string;
  logger: Logger;
  messages: number;
  samplesPerMessage: number;
  serials: readonly string[];
  frequencyHz: number;
  /** Publishes awaiting their confirm at once. */
  window?: number;
  timeoutMs?: number;
}

export async function measureBrokerCeiling(input: BrokerCeilingInput): Promise<BrokerCeiling> {
  const serials = input.serials.length > 0 ? input.serials : ['BENCH-0001'];
  const startUs = Date.now() * 1000;
  const bodies = serials.map((serial, i) =>
    Buffer.from(
      measurementBatchCodec.encode({
        serial,
        sequence: i,
        startTimeUs: startUs,
        sampleRateHz: input.frequencyHz,
        values: Array.from({ length: input.samplesPerMessage }, (_, k) => Math.sin(k / 7)),
        publishedAtMs: Date.now(),
      }),
    ),
  );

  const consumerModel = await amqplib.connect(input.amqpUrl, {
    clientProperties: { connection_name: 'bench-ceiling-consumer' },
  });
  const connection = await AmqpConnection.open({
    url: input.amqpUrl,
    logger: input.logger,
    name: 'bench-ceiling-publisher',
  });
  try {
    const publisher = await Publisher.create(connection, { logger: input.logger });
    const channel = await consumerModel.createChannel();
    await channel.prefetch(2_000);
    let consumed = 0;
    const allConsumed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`broker ceiling: consumed ${consumed} of ${input.messages}`)),
        input.timeoutMs ?? 300_000,
      );
      void channel.consume(QUEUES.measurementsDbWriter, (message) => {
        if (!message) return;
        channel.ack(message);
        if (++consumed >= input.messages) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const started = process.hrtime.bigint();
    let next = 0;
    const worker = async () => {
      while (next < input.messages) {
        const i = next++;
        const serial = serials[i % serials.length] as string;
        await publisher.publish(
          EXCHANGE,
          deviceKey(serial, 'measurements'),
          bodies[i % bodies.length] as Buffer,
        );
      }
    };
    await Promise.all(Array.from({ length: input.window ?? 256 }, worker));
    await allConsumed;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await channel.close();
    const messagesPerSecond = seconds > 0 ? input.messages / seconds : 0;
    return {
      messages: input.messages,
      samplesPerMessage: input.samplesPerMessage,
      seconds,
      messagesPerSecond,
      samplesPerSecond: messagesPerSecond * input.samplesPerMessage,
    };
  } finally {
    await connection.close();
    await consumerModel.close().catch(() => undefined);
  }
}
