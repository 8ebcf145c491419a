// Consuming a queue with explicit outcomes. Every delivery is settled exactly as its handler
// decided: ack, dead-letter (published to iot.dlx with the reason, confirmed, then acked) or
// requeue. A handler that throws is what `onHandlerError` makes of the error (a requeue by
// default, bounded by the queue's delivery limit, so a poison message ends in the dead-letter
// queue instead of killing the service). A `wait-for` outcome holds the delivery unsettled,
// pauses consuming (basic.cancel: what we hold stays ours, nothing new comes) and runs the
// handler again with backoff until it gets past the dependency; then consuming resumes.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Registry } from 'prom-client';
import { DEAD_LETTER_EXCHANGE, DEAD_LETTER_HEADERS } from '../routing/index.js';
import type { Logger, ReadinessCheck } from '../telemetry/index.js';
import type { AmqpConnection, Attachment } from './connection.js';
import { deadLetterCounter, type DeadLetterCounter } from './dead-letter-metric.js';
import { describeWait, pause, waitDelayMs, type DependencyWaitState } from './dependency-wait.js';
import type { Outcome, SettledKind } from './outcome.js';
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

/** An outcome the consumer settles with. */
type Final = Exclude<Outcome, { kind: 'wait-for' }>;

interface Held {
  readonly delivery: Delivery;
  readonly resolve: (outcome: Final | undefined) => void;
}

export interface ConsumerOptions {
  queue: string;
  handler: Handler;
  /** Publishes dead letters; share the process's publisher. */
  publisher: Publisher;
  logger: Logger;
  /** Unacknowledged messages in flight at once. */
  prefetch?: number;
  /** Called once per settled message, for metrics. */
  onSettled?: (outcome: SettledKind, delivery: Delivery) => void;
  /** The process's metrics: dead letters are counted there (dead-letter-metric.ts). */
  registry?: Registry;
  /** The outcome of a handler that threw; `requeue` after a pause unless told. */
  onHandlerError?: (error: unknown) => Outcome;
}

export class Consumer implements Attachment {
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  /** Aborts held deliveries' pauses when the consumer stops. */
  private readonly stopping = new AbortController();
  private wait: Omit<DependencyWaitState, 'held'> | undefined;
  /** Deliveries held for the dependency, in the order they came to wait. */
  private held: Held[] = [];
  private probing = false;
  /** basic.cancel / basic.consume one after another, never two at once. */
  private consumeControl: Promise<void> = Promise.resolve();
  private readonly logger: Logger;
  private readonly deadLetters: DeadLetterCounter | undefined;

  private constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ConsumerOptions,
  ) {
    this.logger = options.logger.child({ queue: options.queue });
    this.deadLetters = options.registry && deadLetterCounter(options.registry);
  }

  static async start(connection: AmqpConnection, options: ConsumerOptions): Promise<Consumer> {
    const consumer = new Consumer(connection, options);
    await connection.add(consumer);
    return consumer;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  get queue(): string {
    return this.options.queue;
  }

  /** Set while deliveries are held for a dependency (for /readyz). */
  get waiting(): DependencyWaitState | undefined {
    return this.wait && { ...this.wait, held: this.held.length };
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
    this.channel = channel;
    this.consumerTag = undefined;
    await this.consume(channel);
  }

  private async consume(channel: Channel): Promise<void> {
    const { consumerTag } = await channel.consume(this.options.queue, (message) => {
      if (message) this.receive(channel, message);
    });
    this.consumerTag = consumerTag;
    this.logger.debug({ consumerTag }, 'consuming');
  }

  /** Cancels (while holding) or restarts consuming on `channel`, serialised. */
  private setConsuming(channel: Channel, want: boolean): void {
    this.consumeControl = this.consumeControl
      .then(async () => {
        if (this.channel !== channel || this.stopped) return;
        if (!want && this.consumerTag) {
          const tag = this.consumerTag;
          this.consumerTag = undefined;
          await channel.cancel(tag);
          this.logger.info('paused consuming while a dependency is away');
        } else if (want && !this.consumerTag && this.held.length === 0) {
          await this.consume(channel);
          this.logger.info('dependency back; consuming again');
        }
      })
      .catch((error: Error) => this.logger.warn({ err: error }, 'could not pause/resume'));
  }

  /** Stops taking new messages and resolves when every message in flight is settled. */
  async drain(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
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
    this.run(delivery)
      .then((outcome) =>
        outcome.kind === 'wait-for' ? this.holdUntilPast(channel, delivery, outcome) : outcome,
      )
      .then((outcome) => outcome && this.settle(channel, message, delivery, outcome))
      .catch((error: unknown) => this.logger.error({ err: error }, 'could not settle a message'))
      .finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }

  /** The handler's outcome; a throw becomes what onHandlerError makes of it. */
  private async run(delivery: Delivery): Promise<Outcome> {
    try {
      // Promise.resolve().then(): a handler that throws synchronously is caught the same way.
      return await Promise.resolve().then(() => this.options.handler(delivery));
    } catch (error) {
      const outcome = this.options.onHandlerError?.(error) ?? {
        kind: 'requeue',
        delayMs: HANDLER_FAILURE_REQUEUE_DELAY_MS,
      };
      if (outcome.kind !== 'wait-for') {
        this.logger.error(
          { err: error, routingKey: delivery.routingKey, outcome },
          'handler failed',
        );
      }
      return outcome;
    }
  }

  /**
   * Holds an unsettled delivery until the handler gets past the dependency. Undefined when
   * the consumer stops or the channel closes meanwhile: the broker has the message back (or
   * will, when the channel closes), so there is nothing to settle.
   */
  private holdUntilPast(
    channel: Channel,
    delivery: Delivery,
    outcome: Extract<Outcome, { kind: 'wait-for' }>,
  ): Promise<Final | undefined> {
    if (!this.wait) {
      this.wait = { dependency: outcome.dependency, reason: outcome.reason, since: new Date() };
      this.logger.warn({ dependency: outcome.dependency, reason: outcome.reason }, 'holding');
      this.setConsuming(channel, false);
    } else {
      this.wait = { ...this.wait, dependency: outcome.dependency, reason: outcome.reason };
    }
    const held = new Promise<Final | undefined>((resolve) => this.held.push({ delivery, resolve }));
    if (!this.probing) void this.probe(channel);
    return held;
  }

  /**
   * One probe at a time retries the oldest held delivery with backoff; once it passes, the
   * others run again in the order they came (so inOrderPerKey keeps each key's order), and
   * any still waiting are held again. The dependency is not hammered by every held delivery.
   */
  private async probe(channel: Channel): Promise<void> {
    this.probing = true;
    try {
      for (let attempt = 0; this.held.length > 0; attempt++) {
        await pause(waitDelayMs(attempt), this.stopping.signal);
        if (this.stopped || this.channel !== channel) {
          for (const { resolve } of this.held.splice(0)) resolve(undefined);
          break;
        }
        const oldest = this.held[0] as Held;
        const outcome = await this.run(oldest.delivery);
        if (outcome.kind === 'wait-for') {
          this.wait = this.wait && { ...this.wait, reason: outcome.reason };
          continue;
        }
        this.held.shift();
        oldest.resolve(outcome);
        const rest = this.held.splice(0);
        const outcomes = rest.map(({ delivery }) => this.run(delivery));
        await Promise.all(
          outcomes.map(async (next, i) => {
            const result = await next;
            const { delivery, resolve } = rest[i] as Held;
            if (result.kind === 'wait-for') this.held.push({ delivery, resolve });
            else resolve(result);
          }),
        );
        attempt = -1;
      }
    } finally {
      this.probing = false;
      if (this.wait) this.logger.info({ since: this.wait.since }, 'dependency wait over');
      this.wait = undefined;
      this.setConsuming(channel, true);
    }
  }

  private async settle(
    channel: Channel,
    message: ConsumeMessage,
    delivery: Delivery,
    outcome: Final,
  ): Promise<void> {
    let settled: SettledKind = outcome.kind;
    if (outcome.kind === 'requeue' && outcome.delayMs > 0) {
      await new Promise((wake) => setTimeout(wake, outcome.delayMs));
    }
    if (outcome.kind === 'dead-letter') {
      const parked = await this.parkAsDeadLetter(delivery, outcome.reason);
      // Not parked safely: give it back rather than lose it.
      if (!parked) settled = 'requeue';
      else this.deadLetters?.inc({ queue: this.options.queue, cause: outcome.cause });
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
  // A replayed dead letter (dead-letter-box.ts) comes through the default exchange, addressed
  // to its queue, with its original routing key in a header. Only the default exchange is
  // trusted with it: devices publish to `iot` and cannot reach the default exchange.
  const replayedKey = headers[DEAD_LETTER_HEADERS.routingKey];
  const routingKey =
    message.fields.exchange === '' && typeof replayedKey === 'string'
      ? replayedKey
      : message.fields.routingKey;
  return {
    body: message.content,
    routingKey,
    headers,
    messageId: message.properties.messageId as string | undefined,
    redelivered: message.fields.redelivered,
    deliveryCount: Number(headers['x-delivery-count'] ?? 0),
  };
}

/** A /readyz check: not ready, saying why, while any of the consumers holds deliveries. */
export function consumersReady(consumers: readonly Consumer[]): ReadinessCheck {
  return () => {
    const waits = consumers.flatMap((c) => (c.waiting ? [describeWait(c.queue, c.waiting)] : []));
    return waits.length === 0 ? { ready: true } : { ready: false, reason: waits.join('; ') };
  };
}
