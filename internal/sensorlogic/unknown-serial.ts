// What to do with a message from a serial the registry has not enrolled (yet). Devices publish
// boot logs and their first batches right around their registration, so "unknown" is usually
// a matter of milliseconds: wait (requeue with a growing pause); past the timeout, measured
// from the device's own timestamp, park it in the dead-letter queue. Never drop it silently.
import { deadLetter, requeue, type Outcome } from '../pubsub/index.js';

/**
 * The pause grows with the time waited (half of it, 0.5-10 s), so a 60 s timeout takes about
 * 15 deliveries: well inside the queues' delivery limit (DELIVERY_LIMIT, 20), so our own
 * dead letter, with its reason, comes before the broker's.
 */
export const UNKNOWN_SERIAL_MAX_PAUSE_MS = 10_000;

export function unknownSerialOutcome(
  serial: string,
  messageTimeMs: number,
  timeoutMs: number,
  nowMs = Date.now(),
): Outcome {
  const waited = Math.max(0, nowMs - messageTimeMs);
  if (waited >= timeoutMs) {
    return deadLetter(
      `unknown serial ${serial}: not enrolled within ${Math.round(timeoutMs / 1000)} s`,
      'unknown serial',
    );
  }
  return requeue(Math.min(UNKNOWN_SERIAL_MAX_PAUSE_MS, Math.max(500, waited / 2)));
}
