// Bounded parallelism: a fleet of a thousand sensors must not open a thousand broker
// connections, or a thousand management-API requests, in the same instant.

export type Gate = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs tasks with at most `limit` of them in progress at once, in the order they arrive. */
export function concurrencyLimit(limit: number): Gate {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
  }
  let active = 0;
  const waiting: (() => void)[] = [];
  // A finishing task hands its slot straight to the next waiter, so no newcomer slips in
  // between and the limit holds exactly.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < limit) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** `fn` over every item, at most `limit` at a time; rejects with the first failure. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const gate = concurrencyLimit(limit);
  return Promise.all(items.map((item) => gate(() => fn(item))));
}
