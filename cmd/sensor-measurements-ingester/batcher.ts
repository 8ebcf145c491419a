// Gathers items into groups (up to a size, or a few milliseconds after the first item) and
// hands each group to `flush`, one group at a time, in the order they were cut. Each `add`
// resolves with what `flush` decided for that item, so a consumer can ack a message only once
// its group is committed.
export interface BatcherOptions<T, R> {
  /** Flush once the group's total size reaches this. */
  maxSize: number;
  /** Flush this long after the first item of a group arrived. */
  maxWaitMs: number;
  sizeOf: (item: T) => number;
  /** Commits a group; returns one result per item, in order. */
  flush: (items: T[]) => Promise<R[]>;
  /** Result for every item of a group whose flush threw. */
  onFlushError: (error: unknown, items: T[]) => R;
  /**
   * True when the error is one item's fault (the database refused its data): the group is
   * then flushed again item by item, so only the culprit gets onFlushError's answer.
   */
  isItemFault?: (error: unknown) => boolean;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
}

export class Batcher<T, R> {
  private group: Pending<T, R>[] = [];
  private groupSize = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Groups cut but not yet flushing, oldest first. */
  private readonly waiting: Pending<T, R>[][] = [];
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: BatcherOptions<T, R>) {}

  add(item: T): Promise<R> {
    return new Promise((resolve) => {
      this.group.push({ item, resolve });
      this.groupSize += this.options.sizeOf(item);
      if (this.groupSize >= this.options.maxSize) this.cut();
      else this.timer ??= setTimeout(() => this.cut(), this.options.maxWaitMs);
    });
  }

  /** Flushes whatever is gathered and waits for every flush to finish. */
  async close(): Promise<void> {
    this.cut();
    if (this.active === 0 && this.waiting.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.group.length === 0) return;
    const group = this.group;
    this.group = [];
    this.groupSize = 0;
    // Groups start flushing in the order they were cut; the next one gathers meanwhile.
    this.waiting.push(group);
    this.startNext();
  }

  private startNext(): void {
    while (this.active === 0 && this.waiting.length > 0) {
      const group = this.waiting.shift() as Pending<T, R>[];
      this.active++;
      void this.run(group).finally(() => {
        this.active--;
        this.startNext();
        if (this.active === 0 && this.waiting.length === 0) {
          for (const wake of this.idleWaiters.splice(0)) wake();
        }
      });
    }
  }

  private async run(group: Pending<T, R>[]): Promise<void> {
    const items = group.map((p) => p.item);
    let results: R[];
    try {
      results = await this.options.flush(items);
    } catch (error) {
      if (items.length > 1 && this.options.isItemFault?.(error)) {
        results = await this.oneByOne(items);
      } else {
        const result = this.options.onFlushError(error, items);
        results = items.map(() => result);
      }
    }
    group.forEach((pending, i) => pending.resolve(results[i] as R));
  }

  /** After one item's fault: each item alone, so only the culprit fails. */
  private async oneByOne(items: T[]): Promise<R[]> {
    const results: R[] = [];
    for (const item of items) {
      try {
        results.push(...(await this.options.flush([item])));
      } catch (error) {
        results.push(this.options.onFlushError(error, [item]));
      }
    }
    return results;
  }
}
