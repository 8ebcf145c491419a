// Waiting out a dependency that is away (the database restarting, the broker refusing a
// publish). The held delivery stays unsettled: on our quorum queues (RabbitMQ 3.10) both a
// nack with requeue and a channel closing with the message unacked raise its
// x-delivery-count, so 20 database restarts' worth of retries would dead-letter good data.
// A held delivery is retried by running its handler again after a growing pause.

/** First pause before retrying: a blip (a pool reconnect) is over by then. */
export const WAIT_FIRST_DELAY_MS = 500;
/**
 * Longest pause: a restarted PostgreSQL is used within 5 s of coming back, and a handful of
 * held deliveries retrying every 5 s costs the database nothing while it starts.
 */
export const WAIT_MAX_DELAY_MS = 5_000;

/** Pause before retry `attempt` (0-based): doubling, capped, with equal jitter. */
export function waitDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(WAIT_MAX_DELAY_MS, WAIT_FIRST_DELAY_MS * 2 ** attempt);
  // Equal jitter: half fixed, half random, so held deliveries of many consumers spread out.
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** What a consumer reports while it holds deliveries for a dependency. */
export interface DependencyWaitState {
  readonly dependency: string;
  readonly reason: string;
  readonly since: Date;
  /** Deliveries held unsettled. */
  readonly held: number;
}

export function describeWait(queue: string, wait: DependencyWaitState): string {
  return (
    `${queue}: waiting for ${wait.dependency} since ${wait.since.toISOString()} ` +
    `(${wait.held} held): ${wait.reason}`
  );
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
