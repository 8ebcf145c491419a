import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

function recording(maxSize: number, maxWaitMs: number, fail = false) {
  const groups: number[][] = [];
  const batcher = new Batcher<number, string>({
    maxSize,
    maxWaitMs,
    sizeOf: (n) => n,
    flush: (items) => {
      groups.push(items);
      if (fail) return Promise.reject(new Error('db down'));
      return Promise.resolve(items.map((n) => `ok ${n}`));
    },
    onFlushError: () => 'retry',
  });
  return { groups, batcher };
}

describe('Batcher', () => {
  it('cuts a group when it reaches the size', async () => {
    const { groups, batcher } = recording(10, 60_000);
    const results = await Promise.all([batcher.add(4), batcher.add(6)]);
    expect(results).toEqual(['ok 4', 'ok 6']);
    expect(groups).toEqual([[4, 6]]);
    const last = batcher.add(3);
    await batcher.close();
    expect(await last).toBe('ok 3');
    expect(groups).toEqual([[4, 6], [3]]);
  });

  it('cuts a group after the wait even when it is small', async () => {
    const { groups, batcher } = recording(1000, 5);
    expect(await Promise.all([batcher.add(1), batcher.add(2)])).toEqual(['ok 1', 'ok 2']);
    expect(groups).toEqual([[1, 2]]);
  });

  it('answers every item of a failed group with the error result', async () => {
    const { batcher } = recording(2, 60_000, true);
    expect(await Promise.all([batcher.add(1), batcher.add(1)])).toEqual(['retry', 'retry']);
  });

  it("retries a group item by item after one item's fault, so only the culprit fails", async () => {
    const groups: number[][] = [];
    const batcher = new Batcher<number, string>({
      maxSize: 4,
      maxWaitMs: 60_000,
      sizeOf: () => 1,
      isItemFault: (error) => (error as Error).message === 'bad item',
      onFlushError: (error) => `dead-letter: ${(error as Error).message}`,
      flush: (items) => {
        groups.push(items);
        if (items.includes(13)) return Promise.reject(new Error('bad item'));
        return Promise.resolve(items.map((n) => `ok ${n}`));
      },
    });
    const results = await Promise.all([1, 13, 2, 3].map((n) => batcher.add(n)));
    expect(results).toEqual(['ok 1', 'dead-letter: bad item', 'ok 2', 'ok 3']);
    expect(groups).toEqual([[1, 13, 2, 3], [1], [13], [2], [3]]);
  });

  it('answers a whole group once when the failure is not an item fault', async () => {
    const groups: number[][] = [];
    const batcher = new Batcher<number, string>({
      maxSize: 2,
      maxWaitMs: 60_000,
      sizeOf: () => 1,
      isItemFault: () => false,
      onFlushError: () => 'wait',
      flush: (items) => {
        groups.push(items);
        return Promise.reject(new Error('database away'));
      },
    });
    expect(await Promise.all([batcher.add(1), batcher.add(2)])).toEqual(['wait', 'wait']);
    expect(groups).toEqual([[1, 2]]);
  });

  it('flushes one group at a time, in order', async () => {
    const started: number[][] = [];
    const releases: (() => void)[] = [];
    let running = 0;
    let mostRunning = 0;
    const batcher = new Batcher<number, string>({
      maxSize: 1,
      maxWaitMs: 60_000,
      sizeOf: () => 1,
      onFlushError: () => 'retry',
      flush: async (items) => {
        started.push(items);
        mostRunning = Math.max(mostRunning, ++running);
        await new Promise<void>((release) => releases.push(release));
        running--;
        return items.map((n) => `ok ${n}`);
      },
    });
    const results = [1, 2, 3, 4].map((n) => batcher.add(n));
    const closed = batcher.close();
    // Release whatever is flushing until all four groups have run.
    while (started.length < 4 || releases.length > 0) {
      await new Promise((tick) => setImmediate(tick));
      releases.shift()?.();
    }
    await closed;
    expect(await Promise.all(results)).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4']);
    expect(started).toEqual([[1], [2], [3], [4]]);
    expect(mostRunning).toBe(1);
  });
});
