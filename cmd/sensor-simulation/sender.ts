// Moves a sensor's outboxes into MQTT. A small window of QoS 1 publishes is kept in flight and
// each is awaited until its PUBACK: only then is a message confirmed. mqtt.js keeps unacked
// QoS 1 publishes in its store across a lost connection and resends them after reconnecting,
// so a publish in flight normally just waits out an outage. A publish that fails outright
// (the client was closing, or it was queued behind the resend of the store when the connection
// dropped again) goes back to the front of its outbox and is tried again after a pause.
// A client that is thrown away never settles its publishes (mqtt.js's end() leaves their
// callbacks pending), so the owner then calls abandonInFlight() to take them back.

/** One message waiting to go out. `encode` runs at hand-off time (batches stamp published_at). */
export interface OutgoingMessage<K extends string = string> {
  readonly kind: K;
  readonly topic: string;
  encode(nowMs: number): Uint8Array;
  /** Set when the message is first handed to MQTT, so retries are not counted twice. */
  handedOff?: boolean;
}

export type PublishFn = (topic: string, payload: Uint8Array) => Promise<void>;

export interface SenderQueue<M> {
  readonly size: number;
  shift(): M | undefined;
  requeue(message: M): void;
}

export interface SenderHooks<M> {
  /** First hand-off of a message to MQTT. */
  onPublished?(message: M): void;
  /** The broker acknowledged the message (PUBACK). */
  onConfirmed(message: M): void;
  /** A publish failed; the message is back in its queue and will be retried. */
  onFailed?(message: M, error: unknown): void;
  /** The message could not even be encoded; it is dropped. */
  onUnsendable(message: M, error: unknown): void;
}

export interface SenderOptions<M> {
  /** Drained in order: everything in the first before anything in the second. */
  queues: readonly SenderQueue<M>[];
  hooks: SenderHooks<M>;
  window?: number;
  retryDelayMs?: number;
  now?: () => number;
}

export class Sender<M extends OutgoingMessage> {
  private publishFn: PublishFn | undefined;
  /** One entry per publish awaiting its PUBACK; a settlement whose entry is gone is ignored. */
  private readonly flights = new Set<{ message: M; queue: SenderQueue<M> }>();
  private paused = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly window: number;
  private readonly retryDelayMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SenderOptions<M>) {
    this.window = options.window ?? 8;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  get inFlight(): number {
    return this.flights.size;
  }

  /** Messages waiting in the queues plus those in flight. */
  get pending(): number {
    return this.flights.size + this.options.queues.reduce((sum, q) => sum + q.size, 0);
  }

  /** Sets (or, with undefined, takes away) the way out; sending stops while there is none. */
  setPublisher(publish: PublishFn | undefined): void {
    this.publishFn = publish;
    this.kick();
  }

  /** Fills the window from the queues; call after adding to a queue. */
  kick(): void {
    while (this.publishFn && !this.paused && this.flights.size < this.window) {
      const next = this.take();
      if (!next) break;
      this.send(this.publishFn, next.message, next.queue);
    }
    this.notifyIfIdle();
  }

  /** Resolves once every queue is empty and nothing is in flight. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Puts every publish still awaiting its PUBACK back at the front of its queue, oldest first,
   * and ignores however they settle later. For a client being thrown away: the broker may have
   * stored some of them already, so this can duplicate (same sequence), never lose.
   */
  abandonInFlight(): void {
    const flights = [...this.flights];
    this.flights.clear();
    for (const { message, queue } of flights.reverse()) queue.requeue(message);
  }

  /** Stops retry timers (the sender is abandoned at shutdown). */
  close(): void {
    clearTimeout(this.retryTimer);
    this.publishFn = undefined;
  }

  private take(): { message: M; queue: SenderQueue<M> } | undefined {
    for (const queue of this.options.queues) {
      const message = queue.shift();
      if (message) return { message, queue };
    }
    return undefined;
  }

  private send(publish: PublishFn, message: M, queue: SenderQueue<M>): void {
    let payload: Uint8Array;
    try {
      payload = message.encode(this.now());
    } catch (error) {
      // Not encodable is a bug, not an outage: retrying cannot help, so it is reported and dropped.
      this.options.hooks.onUnsendable(message, error);
      return;
    }
    const flight = { message, queue };
    this.flights.add(flight);
    if (!message.handedOff) {
      message.handedOff = true;
      this.options.hooks.onPublished?.(message);
    }
    publish(message.topic, payload).then(
      () => {
        if (!this.flights.delete(flight)) return; // abandoned: it was requeued already
        this.options.hooks.onConfirmed(message);
        this.kick();
      },
      (error: unknown) => {
        if (!this.flights.delete(flight)) return;
        this.options.hooks.onFailed?.(message, error);
        queue.requeue(message);
        this.pauseForRetry();
      },
    );
  }

  private pauseForRetry(): void {
    if (this.paused) return;
    this.paused = true;
    this.retryTimer = setTimeout(() => {
      this.paused = false;
      this.kick();
    }, this.retryDelayMs);
  }

  private notifyIfIdle(): void {
    if (this.pending !== 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
