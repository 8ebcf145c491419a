// What a consumer handler decides about one message. The consumer always settles the message
// according to it: nothing is left unacknowledged, nothing is acked by accident.

export type Outcome =
  /** The effect is committed: remove the message. */
  | { readonly kind: 'ack' }
  /**
   * The message can never succeed: move it to the dead-letter queue with this reason, counted
   * under a cause (a short fixed phrase, a metric label: never a serial or a value).
   */
  | { readonly kind: 'dead-letter'; readonly reason: string; readonly cause: string }
  /** Not now (the message waits for something of its own, e.g. its sensor's enrolment). */
  | { readonly kind: 'requeue'; readonly delayMs: number }
  /**
   * A dependency (the database, the broker) is away: not the message's fault. The consumer
   * keeps the delivery unsettled, stops taking new ones and runs the handler again until it
   * gets past the dependency; see dependency-wait.ts.
   */
  | { readonly kind: 'wait-for'; readonly dependency: string; readonly reason: string };

export const ack = (): Outcome => ({ kind: 'ack' });
export const deadLetter = (reason: string, cause = 'other'): Outcome => ({
  kind: 'dead-letter',
  reason,
  cause,
});
export const requeue = (delayMs = 0): Outcome => ({ kind: 'requeue', delayMs });
export const waitFor = (dependency: string, reason: string): Outcome => ({
  kind: 'wait-for',
  dependency,
  reason,
});

/** The outcomes a consumer settles a message with (wait-for is never final). */
export type SettledKind = Exclude<Outcome['kind'], 'wait-for'>;
