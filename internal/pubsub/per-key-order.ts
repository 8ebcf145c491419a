// Messages of different sensors may be handled at once; those of one sensor must apply in the
// order they arrived (a re-registration must not be overtaken by an older one). So each key
// gets a queue of its own: a handler for a key waits for the one before it.
import type { Delivery, Handler } from './consumer.js';
import type { Outcome } from './outcome.js';

export function inOrderPerKey(key: (delivery: Delivery) => string, handler: Handler): Handler {
  const tails = new Map<string, Promise<Outcome>>();
  return (delivery) => {
    const k = key(delivery);
    const previous = tails.get(k) ?? Promise.resolve<Outcome>({ kind: 'ack' });
    const next = previous.catch(() => undefined).then(() => handler(delivery));
    tails.set(k, next);
    // Forget the key once its queue is empty, so the map does not grow with the fleet.
    void next
      .finally(() => {
        if (tails.get(k) === next) tails.delete(k);
      })
      .catch(() => undefined);
    return next;
  };
}
