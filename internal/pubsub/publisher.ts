// Publishing with publisher confirms: `publish` resolves only once the broker has taken
// responsibility for the message (written to the quorum queues it routes to). While the broker
// is unreachable it waits for the reconnect and publishes again, until its timeout.
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from '../telemetry/index.js';
import type { AmqpConnection, Attachment } from './connection.js';
import { PublishNackedError, PublishTimeoutError } from './errors.js';

export interface PublishOptions {
  headers?: Record<string, unknown>;
  messageId?: string;
  /** The message type, e.g. the protobuf type name. */
  type?: string;
  contentType?: string;
  /** Milliseconds since the epoch (AMQP carries seconds; we keep ms in a header too). */
  timestampMs?: number;
  /**
   * Ask the broker to hand the message back if no queue takes it (needs `messageId`); the
   * result then says whether it was routed, e.g. whether a device has a command queue yet.
   */
  mandatory?: boolean;
  /** Milliseconds after which a queue drops the message unread (AMQP per-message TTL). */
  expirationMs?: number;
}

export interface PublishResult {
  /** False only for a mandatory message that no queue took. */
  routed: boolean;
}

export class Publisher implements Attachment {
  private channel: ConfirmChannel | undefined;
  private readonly open = new WeakSet<ConfirmChannel>();
  /** messageIds of mandatory messages the broker returned as unroutable, per channel. */
  private readonly returned = new WeakMap<ConfirmChannel, Set<string>>();
  private readyWaiters: (() => void)[] = [];
  private drained: Promise<void> = Promise.resolve();

  private constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  static async create(
    connection: AmqpConnection,
    options: { logger: Logger; timeoutMs?: number },
  ): Promise<Publisher> {
    const publisher = new Publisher(options.logger, options.timeoutMs ?? 30_000);
    await connection.add(publisher);
    return publisher;
  }

  async attach(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    this.open.add(channel);
    channel.on('close', () => {
      this.open.delete(channel);
      if (this.channel === channel) this.channel = undefined;
    });
    channel.on('error', (error: Error) =>
      this.logger.warn({ err: error }, 'publish channel error'),
    );
    const returned = new Set<string>();
    this.returned.set(channel, returned);
    // The broker sends basic.return before the confirm of the same message, on this channel.
    channel.on('return', (message: { properties: { messageId?: unknown } }) => {
      const id = message.properties.messageId;
      if (typeof id === 'string') returned.add(id);
    });
    this.channel = channel;
    this.drained = Promise.resolve();
    for (const wake of this.readyWaiters.splice(0)) wake();
  }

  async publish(
    exchange: string,
    routingKey: string,
    body: Uint8Array,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    if (options.mandatory && !options.messageId) {
      throw new TypeError('a mandatory publish needs a messageId to recognise its return');
    }
    const deadline = Date.now() + this.timeoutMs;
    let lastError: unknown;
    for (;;) {
      const channel = this.channel ?? (await this.waitForChannel(deadline));
      if (!channel) throw new PublishTimeoutError(routingKey, this.timeoutMs, { cause: lastError });
      try {
        await this.publishOnce(channel, exchange, routingKey, body, options);
        const returned = this.returned.get(channel);
        const unroutable = options.messageId !== undefined && returned?.delete(options.messageId);
        return { routed: !unroutable };
      } catch (error) {
        // A nack is the broker's answer; anything else (the channel closed under the message)
        // means "not known to be stored": publish again on the next channel.
        if (isNack(error) && this.open.has(channel)) throw new PublishNackedError(routingKey);
        lastError = error;
      }
    }
  }

  private async publishOnce(
    channel: ConfirmChannel,
    exchange: string,
    routingKey: string,
    body: Uint8Array,
    options: PublishOptions,
  ): Promise<void> {
    await this.drained;
    const timestampMs = options.timestampMs ?? Date.now();
    await new Promise<void>((resolve, reject) => {
      const buffered = channel.publish(
        exchange,
        routingKey,
        Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        {
          persistent: true,
          contentType: options.contentType ?? 'application/x-protobuf',
          type: options.type,
          messageId: options.messageId,
          mandatory: options.mandatory,
          expiration:
            options.expirationMs === undefined
              ? undefined
              : String(Math.max(0, Math.round(options.expirationMs))),
          timestamp: Math.floor(timestampMs / 1000),
          headers: { 'x-published-at-ms': timestampMs, ...options.headers },
        },
        (error: unknown) => (error ? reject(toError(error)) : resolve()),
      );
      // The socket buffer is full: later publishes wait for it to drain (backpressure).
      if (!buffered) this.drained = new Promise((wake) => channel.once('drain', () => wake()));
    });
  }

  private waitForChannel(deadline: number): Promise<ConfirmChannel | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.channel);
      });
    });
  }
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** amqplib reports a broker nack as this error; a closed channel as 'channel closed'. */
function isNack(error: unknown): boolean {
  return error instanceof Error && error.message === 'message nacked';
}
