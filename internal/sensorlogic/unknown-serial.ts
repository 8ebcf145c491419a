// What to do with a message from a serial the registry has not enrolled (yet). Devices publish
// boot logs and their first batches right around their registration, so "unknown" is usually
// a matter of milliseconds: wait (requeue with a growing pause); past the timeout, measured
// from the device's own timestamp, park it in the dead-letter queue. Never drop it silently.
import { deadLetter, requeue, type Outcome } from '../pubsub/index.js';

export const UNKNOWN_SERIAL_MAX_PAUSE_MS = 5_000;

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
    );
  }
  // 250 ms at first, then a quarter of the time waited so far, capped.
  return requeue(Math.min(UNKNOWN_SERIAL_MAX_PAUSE_MS, Math.max(250, waited / 4)));
}
