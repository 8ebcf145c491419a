// A sensor's bounded store of messages not yet handed to MQTT. A device has finite memory:
// while the broker is unreachable it keeps measuring into the outbox, and when the outbox is
// full the oldest unsent message gives way to the newest (recent data is worth more to a
// vibration engineer than old data, and the gap is counted, never silent).

export class Outbox<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`outbox capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Messages dropped to make room since the outbox was created. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Adds at the back; when full, drops and returns the oldest message to make room. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.size >= this.capacity) {
      dropped = this.shift();
      this.droppedCount++;
    }
    this.items.push(item);
    return dropped;
  }

  /**
   * Puts a message whose publish failed back at the front, to go out first. It may take the
   * outbox past its capacity by at most the number of publishes that were in flight: those
   * messages were already taken out, and dropping them now would lose the oldest data twice.
   */
  requeue(item: T): void {
    if (this.head > 0) {
      this.items[--this.head] = item;
    } else {
      this.items.unshift(item);
    }
  }

  /** Takes the oldest message, or undefined when empty. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Compact now and then so a long-lived outbox does not keep a long dead prefix.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Everything still queued, oldest first (for shutdown accounting). */
  peekAll(): T[] {
    return this.items.slice(this.head) as T[];
  }
}
