import { describe, expect, it } from 'vitest';
import { concurrencyLimit, mapWithConcurrency } from './concurrency.js';

describe('concurrencyLimit', () => {
  it.each([1, 3, 16])('never runs more than %d tasks at once', async (limit) => {
    let active = 0;
    let peak = 0;
    const results = await mapWithConcurrency(
      Array.from({ length: 50 }, (_, i) => i),
      limit,
      async (i) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, i % 3));
        active--;
        return i * 2;
      },
    );
    expect(peak).toBe(limit);
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('frees the slot of a failed task', async () => {
    const gate = concurrencyLimit(1);
    await expect(gate(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
