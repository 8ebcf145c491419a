// What a consumer handler decides about one message. The consumer always settles the message
// according to it: nothing is left unacknowledged, nothing is acked by accident.

export type Outcome =
  /** The effect is committed: remove the message. */
  | { readonly kind: 'ack' }
  /** The message can never succeed: move it to the dead-letter queue with this reason. */
  | { readonly kind: 'dead-letter'; readonly reason: string }
  /** Not now (a dependency is missing or down): give it back, after an optional pause. */
  | { readonly kind: 'requeue'; readonly delayMs: number };

export const ack = (): Outcome => ({ kind: 'ack' });
export const deadLetter = (reason: string): Outcome => ({ kind: 'dead-letter', reason });
export const requeue = (delayMs = 0): Outcome => ({ kind: 'requeue', delayMs });
