// What a consumer does with an error its handler (or a batch write) threw: wait for a
// dependency that is away, dead-letter a message the database refused, or requeue anything
// else after a pause (bounded by the queue's delivery limit).
import { PubSubError, requeue, waitFor, deadLetter, type Outcome } from '../pubsub/index.js';
import { classifyDatabaseFailure } from '../storage/index.js';

/**
 * An error we cannot place (a bug) is retried after this long, not in a tight loop; the
 * queue's delivery limit (DELIVERY_LIMIT) dead-letters it if it never passes.
 */
export const UNKNOWN_FAILURE_RETRY_MS = 1_000;

/** File system errors of a disk that is full or failing (the logs ingester's day files). */
const DISK_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS']);

export function failureOutcome(error: unknown): Outcome {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DISK_CODES.has(code)) {
    return waitFor('disk', (error as Error).message);
  }
  // Our publishes (dead letters, derived events) failing: the broker is away or full.
  if (error instanceof PubSubError) return waitFor('broker', error.message);
  const failure = classifyDatabaseFailure(error);
  if (failure.kind === 'unavailable') return waitFor('database', failure.reason);
  if (failure.kind === 'rejected') return deadLetter(failure.reason, 'database rejected');
  return requeue(UNKNOWN_FAILURE_RETRY_MS);
}

/** True for an error caused by one item of a group: retry the group item by item. */
export function isItemFault(error: unknown): boolean {
  return classifyDatabaseFailure(error).kind === 'rejected';
}
