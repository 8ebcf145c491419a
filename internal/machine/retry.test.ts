import { describe, expect, it } from 'vitest';
import { MachineActionError } from './errors.js';
import { withRetries } from './retry.js';

const policy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 4 };

describe('withRetries', () => {
  it.each([
    ['succeeds at once', [], 1, true],
    ['retries transient failures, then succeeds', [true, true], 3, true],
    ['gives up after the attempts, with the last error', [true, true, true, true], 4, false],
    ['stops at a failure that cannot be helped', [false], 1, false],
  ] as const)('%s', async (_name, failures, attempts, ok) => {
    const calls: number[] = [];
    const result = await withRetries(policy, (n) => {
      calls.push(n);
      const retryable = failures[n - 1];
      if (retryable !== undefined) {
        return Promise.reject(new MachineActionError(`failure ${n}`, retryable));
      }
      return Promise.resolve('done');
    });
    expect(result.ok).toBe(ok);
    expect(result.attempts).toBe(attempts);
    expect(calls).toEqual(Array.from({ length: attempts }, (_, i) => i + 1));
    if (!result.ok) expect(result.error.message).toBe(`failure ${attempts}`);
  });
});
