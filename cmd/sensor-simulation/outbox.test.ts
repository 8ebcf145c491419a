import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';

describe('Outbox', () => {
  it.each([
    // capacity, pushed, kept (oldest first), dropped
    [3, 2, [1, 2], 0],
    [3, 3, [1, 2, 3], 0],
    [3, 4, [2, 3, 4], 1],
    [3, 10, [8, 9, 10], 7],
    [1, 5, [5], 4],
  ])('capacity %d, %d pushed → keeps %j, dropped %d', (capacity, pushed, kept, dropped) => {
    const outbox = new Outbox<number>(capacity);
    const droppedItems: number[] = [];
    for (let i = 1; i <= pushed; i++) {
      const d = outbox.push(i);
      if (d !== undefined) droppedItems.push(d);
    }
    expect(outbox.size).toBe(kept.length);
    expect(outbox.dropped).toBe(dropped);
    expect(droppedItems).toEqual(Array.from({ length: dropped }, (_, i) => i + 1));
    expect(outbox.peekAll()).toEqual(kept);
  });

  it('hands messages out oldest first', () => {
    const outbox = new Outbox<string>(5);
    for (const s of ['a', 'b', 'c']) outbox.push(s);
    expect([outbox.shift(), outbox.shift(), outbox.shift(), outbox.shift()]).toEqual([
      'a',
      'b',
      'c',
      undefined,
    ]);
  });

  it('puts a failed message back in front, even when full', () => {
    const outbox = new Outbox<number>(2);
    outbox.push(1);
    outbox.push(2);
    const taken = outbox.shift() as number;
    outbox.push(3);
    outbox.requeue(taken);
    expect(outbox.peekAll()).toEqual([1, 2, 3]);
    expect(outbox.dropped).toBe(0);
    // The next push drops the oldest, the requeued one.
    expect(outbox.push(4)).toBe(1);
  });

  it('behaves like a bounded queue over a long life (compaction included)', () => {
    const outbox = new Outbox<number>(600);
    const model: number[] = [];
    let dropped = 0;
    for (let i = 0; i < 20_000; i++) {
      outbox.push(i);
      model.push(i);
      if (model.length > 600) {
        model.shift();
        dropped++;
      }
      // Drain in bursts, as a reconnecting sender does.
      if (i % 1000 > 700) expect(outbox.shift()).toBe(model.shift());
    }
    expect(outbox.peekAll()).toEqual(model);
    expect(outbox.dropped).toBe(dropped);
  });

  it.each([0, -1, 1.5])('refuses capacity %d', (capacity) => {
    expect(() => new Outbox(capacity)).toThrow(RangeError);
  });
});
