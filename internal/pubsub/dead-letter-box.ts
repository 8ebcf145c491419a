// The dead-letter queue for operators: what is in it, counted by (queue, reason), a look at a
// few, and a replay of the ones whose cause is fixed, straight back to the queue each came
// from. Reading takes the messages unacked and closes the channel, which puts every one we
// did not replay back in place (in order): looking changes nothing.
import type { Channel, GetMessage } from 'amqplib';
import { DEAD_LETTER_HEADERS, DEAD_LETTER_QUEUE } from '../routing/index.js';
import type { AmqpConnection } from './connection.js';

/**
 * Dead letters one scan reads at most. Each is held unacked in the broker's memory until the
 * channel closes; 10,000 full batches are ~2.5 GB held, so a scan beyond this counts nothing
 * more (the answer says so with `truncated`). The queue's own bound (queue-bounds.ts) is higher.
 */
export const DEAD_LETTER_SCAN_LIMIT = 10_000;

export interface DeadLetterGroup {
  readonly queue: string;
  readonly reason: string;
  readonly count: number;
}

export interface DeadLetterSample {
  readonly queue: string;
  readonly reason: string;
  readonly routingKey: string;
  readonly deadLetteredAt: string | undefined;
  readonly bytes: number;
}

export interface DeadLetterSummary {
  readonly total: number;
  readonly truncated: boolean;
  readonly groups: readonly DeadLetterGroup[];
  readonly samples: readonly DeadLetterSample[];
}

export interface ReplayResult {
  readonly replayed: number;
  readonly byQueue: Readonly<Record<string, number>>;
}

/** Headers that describe a past death or delivery: a replayed message starts fresh. */
const DEATH_HEADERS = [
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-delivery-count',
  DEAD_LETTER_HEADERS.reason,
  DEAD_LETTER_HEADERS.queue,
  DEAD_LETTER_HEADERS.at,
];

export class DeadLetterBox {
  constructor(private readonly connection: AmqpConnection) {}

  /** Counts by (queue, reason) (largest first) and the first `samples` dead letters. */
  async summary(options: { samples?: number; reason?: string } = {}): Promise<DeadLetterSummary> {
    return this.scan(async (messages, truncated) => {
      const counts = new Map<string, DeadLetterGroup>();
      const samples: DeadLetterSample[] = [];
      let total = 0;
      for (const message of messages) {
        const origin = originOf(message);
        if (options.reason !== undefined && !origin.reason.startsWith(options.reason)) continue;
        total++;
        const key = `${origin.queue}\n${origin.reason}`;
        const group = counts.get(key);
        counts.set(key, { ...origin, count: (group?.count ?? 0) + 1 });
        if (samples.length < (options.samples ?? 0)) {
          samples.push({
            ...origin,
            routingKey: origin.routingKey,
            deadLetteredAt: header(message, DEAD_LETTER_HEADERS.at),
            bytes: message.content.length,
          });
        }
      }
      const groups = [...counts.values()].sort(
        (a, b) => b.count - a.count || a.queue.localeCompare(b.queue),
      );
      return Promise.resolve({ total, truncated, groups, samples });
    });
  }

  /**
   * Publishes the dead letters whose reason starts with `reason` (and that came from `queue`,
   * if given) back to their original queue through the default exchange, each confirmed
   * before it is removed from the dead-letter queue. The original routing key rides in
   * `x-iot-original-routing-key` (the consumer restores it, see consumer.ts).
   */
  async replay(options: { reason: string; queue?: string }): Promise<ReplayResult> {
    return this.scan(async (messages, _truncated, channel) => {
      const byQueue: Record<string, number> = {};
      let replayed = 0;
      const model = await this.connection.current();
      const confirm = await model.createConfirmChannel();
      try {
        for (const message of messages) {
          const origin = originOf(message);
          if (!origin.reason.startsWith(options.reason)) continue;
          if (options.queue !== undefined && origin.queue !== options.queue) continue;
          if (origin.queue === '') continue; // nowhere to go back to
          const headers = { ...(message.properties.headers ?? {}) } as Record<string, unknown>;
          for (const name of DEATH_HEADERS) delete headers[name];
          headers[DEAD_LETTER_HEADERS.routingKey] = origin.routingKey;
          const p = message.properties;
          // Not user_id: the broker checks it against the publishing user (ours, not the device).
          confirm.sendToQueue(origin.queue, message.content, {
            contentType: p.contentType as string | undefined,
            contentEncoding: p.contentEncoding as string | undefined,
            messageId: p.messageId as string | undefined,
            timestamp: p.timestamp as number | undefined,
            type: p.type as string | undefined,
            appId: p.appId as string | undefined,
            headers,
            persistent: true,
          });
          await confirm.waitForConfirms();
          channel.ack(message);
          replayed++;
          byQueue[origin.queue] = (byQueue[origin.queue] ?? 0) + 1;
        }
      } finally {
        await confirm.close().catch(() => undefined);
      }
      return { replayed, byQueue };
    });
  }

  /** Reads up to the scan limit unacked, runs `use`, then closes the channel (returns the rest). */
  private async scan<T>(
    use: (messages: GetMessage[], truncated: boolean, channel: Channel) => Promise<T>,
  ): Promise<T> {
    const model = await this.connection.current();
    const channel = await model.createChannel();
    try {
      const messages: GetMessage[] = [];
      let truncated = false;
      for (;;) {
        if (messages.length >= DEAD_LETTER_SCAN_LIMIT) {
          truncated = true;
          break;
        }
        const message = await channel.get(DEAD_LETTER_QUEUE, { noAck: false });
        if (message === false) break;
        messages.push(message);
      }
      return await use(messages, truncated, channel);
    } finally {
      // Unacked messages go back to the queue, in order; acked (replayed) ones are gone.
      await channel.close().catch(() => undefined);
    }
  }
}

interface Origin {
  queue: string;
  reason: string;
  routingKey: string;
}

/** Where a dead letter came from and why: ours (x-iot-*) or the broker's (x-death). */
function originOf(message: GetMessage): Origin {
  const routingKey = header(message, DEAD_LETTER_HEADERS.routingKey) ?? message.fields.routingKey;
  const ours = header(message, DEAD_LETTER_HEADERS.reason);
  if (ours !== undefined) {
    return { queue: header(message, DEAD_LETTER_HEADERS.queue) ?? '', reason: ours, routingKey };
  }
  const deaths = message.properties.headers?.['x-death'] as
    { queue?: string; reason?: string }[] | undefined;
  const death = deaths?.[0];
  return {
    queue: death?.queue ?? '',
    reason: `broker: ${death?.reason ?? 'unknown'}`,
    routingKey,
  };
}

function header(message: GetMessage, name: string): string | undefined {
  const value: unknown = message.properties.headers?.[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString() : JSON.stringify(value);
}
