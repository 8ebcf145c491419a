// Consuming a queue with explicit outcomes. Every delivery is settled exactly as its handler
// decided: ack, dead-letter (published to iot.dlx with the reason, confirmed, then acked) or
// requeue. A handler that throws is a requeue, bounded by the queue's delivery limit, so a
// poison message ends in the dead-letter queue instead of killing the service.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { DEAD_LETTER_EXCHANGE, DEAD_LETTER_HEADERS } from '../routing/index.js';
import type { Logger } from '../telemetry/index.js';
import type { AmqpConnection, Attachment } from './connection.js';
import type { Outcome } from './outcome.js';
import type { Publisher } from './publisher.js';

/**
 * Unacknowledged deliveries per consumer when the service does not say: enough to keep a
 * handler busy while acks travel back, few enough that one consumer does not hoard a backlog
 * its peers on the same queue could share.
 */
export const DEFAULT_PREFETCH = 100;
/** A channel the broker closed (the connection lives on) is reopened after this, not at once. */
const CHANNEL_REOPEN_DELAY_MS = 1_000;
/**
 * A handler that threw (a database blip) gives its message back after this long, so a failing
 * dependency is not retried in a tight loop; the queue's delivery limit bounds the retries.
 */
const HANDLER_FAILURE_REQUEUE_DELAY_MS = 1_000;

export interface Delivery {
  readonly body: Buffer;
  readonly routingKey: string;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly messageId: string | undefined;
  readonly redelivered: boolean;
  /** Times the broker delivered this message before (quorum queues count it). */
  readonly deliveryCount: number;
}

export type Handler = (delivery: Delivery) => Promise<Outcome>;

export interface ConsumerOptions {
  queue: string;
  handler: Handler;
  /** Publishes dead letters; share the process's publisher. */
  publisher: Publisher;
  logger: Logger;
  /** Unacknowledged messages in flight at once. */
  prefetch?: number;
  /** Called once per settled message, for metrics. */
  onSettled?: (outcome: Outcome['kind'], delivery: Delivery) => void;
}

export class Consumer implements Attachment {
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly logger: Logger;

  private constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ConsumerOptions,
  ) {
    this.logger = options.logger.child({ queue: options.queue });
  }

  static async start(connection: AmqpConnection, options: ConsumerOptions): Promise<Consumer> {
    const consumer = new Consumer(connection, options);
    await connection.add(consumer);
    return consumer;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  async attach(model: ChannelModel): Promise<void> {
    if (this.stopped) return;
    const channel = await model.createChannel();
    await channel.prefetch(this.options.prefetch ?? DEFAULT_PREFETCH);
    channel.on('error', (error: Error) =>
      this.logger.warn({ err: error }, 'consumer channel error'),
    );
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      // The broker closed only this channel (the connection lives on): open a new one.
      if (!this.stopped && this.connection.isConnected) {
        setTimeout(() => {
          this.connection
            .current()
            .then((current) => (this.channel ? undefined : this.attach(current)))
            .catch((error: Error) =>
              this.logger.error({ err: error }, 'consumer re-attach failed'),
            );
        }, CHANNEL_REOPEN_DELAY_MS).unref();
      }
    });
    const { consumerTag } = await channel.consume(this.options.queue, (message) => {
      if (message) this.receive(channel, message);
    });
    this.channel = channel;
    this.consumerTag = consumerTag;
    this.logger.debug({ consumerTag }, 'consuming');
  }

  /** Stops taking new messages and resolves when every message in flight is settled. */
  async drain(): Promise<void> {
    this.stopped = true;
    this.connection.remove(this);
    const { channel, consumerTag } = this;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.drain();
    await this.channel?.close().catch(() => undefined);
  }

  private receive(channel: Channel, message: ConsumeMessage): void {
    this.inFlight++;
    const delivery = toDelivery(message);
    // Promise.resolve().then(): a handler that throws synchronously is caught the same way.
    Promise.resolve()
      .then(() => this.options.handler(delivery))
      .catch((error: unknown): Outcome => {
        this.logger.error(
          { err: error, routingKey: delivery.routingKey },
          'handler failed; requeueing',
        );
        return { kind: 'requeue', delayMs: HANDLER_FAILURE_REQUEUE_DELAY_MS };
      })
      .then((outcome) => this.settle(channel, message, delivery, outcome))
      .catch((error: unknown) => this.logger.error({ err: error }, 'could not settle a message'))
      .finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }

  private async settle(
    channel: Channel,
    message: ConsumeMessage,
    delivery: Delivery,
    outcome: Outcome,
  ): Promise<void> {
    let settled: Outcome['kind'] = outcome.kind;
    if (outcome.kind === 'requeue' && outcome.delayMs > 0) {
      await new Promise((wake) => setTimeout(wake, outcome.delayMs));
    }
    if (outcome.kind === 'dead-letter') {
      const parked = await this.parkAsDeadLetter(delivery, outcome.reason);
      // Not parked safely: give it back rather than lose it.
      if (!parked) settled = 'requeue';
    }
    // A channel that closed meanwhile took its deliveries back to the queue: nothing to settle.
    if (this.channel !== channel) return;
    if (settled === 'requeue') channel.nack(message, false, true);
    else channel.ack(message);
    this.options.onSettled?.(settled, delivery);
  }

  /** Publishes the message to iot.dlx with the reason in its headers; true once confirmed. */
  private async parkAsDeadLetter(delivery: Delivery, reason: string): Promise<boolean> {
    try {
      await this.options.publisher.publish(
        DEAD_LETTER_EXCHANGE,
        delivery.routingKey,
        delivery.body,
        {
          messageId: delivery.messageId,
          headers: {
            ...delivery.headers,
            [DEAD_LETTER_HEADERS.reason]: reason,
            [DEAD_LETTER_HEADERS.queue]: this.options.queue,
            [DEAD_LETTER_HEADERS.routingKey]: delivery.routingKey,
            [DEAD_LETTER_HEADERS.at]: new Date().toISOString(),
          },
        },
      );
      this.logger.warn({ routingKey: delivery.routingKey, reason }, 'dead-lettered');
      return true;
    } catch (error) {
      this.logger.error({ err: error }, 'dead-letter publish failed; requeueing');
      return false;
    }
  }
}

function toDelivery(message: ConsumeMessage): Delivery {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  return {
    body: message.content,
    routingKey: message.fields.routingKey,
    headers,
    messageId: message.properties.messageId as string | undefined,
    redelivered: message.fields.redelivered,
    deliveryCount: Number(headers['x-delivery-count'] ?? 0),
  };
}
