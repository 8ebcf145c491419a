// Open event streams per account. Each holds a socket, two timers and a notification
// subscription for as long as the client keeps it open, so one account (or one stolen token)
// must not be able to open a thousand of them (issue 15).

/**
 * Streams one account may hold open: `iotctl --wait` holds one per command; an operator with
 * a few terminals and a script sending commands to a handful of sensors in parallel stays
 * well below it.
 */
export const MAX_STREAMS_PER_ACCOUNT = 20;

export class StreamQuota {
  private readonly open = new Map<string, number>();

  constructor(private readonly limit = MAX_STREAMS_PER_ACCOUNT) {}

  /** A release function (call it once, when the stream ends), or undefined: at the limit. */
  acquire(accountId: string): (() => void) | undefined {
    const count = this.open.get(accountId) ?? 0;
    if (count >= this.limit) return undefined;
    this.open.set(accountId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(accountId) ?? 1) - 1;
      if (left > 0) this.open.set(accountId, left);
      else this.open.delete(accountId);
    };
  }
}
