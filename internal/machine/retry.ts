// Tries an action until it succeeds, a failure cannot be helped by trying again, or the
// attempts run out, pausing with exponential backoff and full jitter between attempts (AWS
// Architecture Blog, "Exponential Backoff and Jitter"), so many alarms on one controller that
// came back do not all retry at the same instant.
import { setTimeout as delay } from 'node:timers/promises';
import { MachineActionError } from './errors.js';

export interface RetryPolicy {
  readonly attempts: number;
  /** The first pause's ceiling; it doubles each attempt up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export type AttemptResult<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | { readonly ok: false; readonly error: MachineActionError; readonly attempts: number };

export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  options: {
    signal?: AbortSignal;
    random?: () => number;
    onRetry?: (n: number, error: MachineActionError) => void;
  } = {},
): Promise<AttemptResult<T>> {
  const random = options.random ?? Math.random;
  let last: MachineActionError | undefined;
  for (let n = 1; n <= policy.attempts; n++) {
    try {
      return { ok: true, value: await attempt(n), attempts: n };
    } catch (error) {
      last =
        error instanceof MachineActionError
          ? error
          : new MachineActionError((error as Error).message, true, { cause: error });
      if (!last.retryable || n === policy.attempts) return { ok: false, error: last, attempts: n };
      options.onRetry?.(n, last);
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      await delay(Math.round(random() * ceiling), undefined, { signal: options.signal });
    }
  }
  return {
    ok: false,
    error: last ?? new MachineActionError('no attempt made', false),
    attempts: 0,
  };
}
