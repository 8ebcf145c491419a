import { describe, expect, it } from 'vitest';
import type { Delivery } from './consumer.js';
import { inOrderPerKey } from './per-key-order.js';

const delivery = (routingKey: string, body: string) =>
  ({ routingKey, body: Buffer.from(body) }) as unknown as Delivery;

describe('inOrderPerKey', () => {
  it('runs one key in arrival order while other keys proceed', async () => {
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const handler = inOrderPerKey(
      (d) => d.routingKey,
      async (d) => {
        const name = d.body.toString();
        log.push(`start ${name}`);
        await new Promise<void>((resolve) => gates.set(name, resolve));
        log.push(`end ${name}`);
        return { kind: 'ack' };
      },
    );
    const a1 = handler(delivery('A', 'a1'));
    const a2 = handler(delivery('A', 'a2'));
    const b1 = handler(delivery('B', 'b1'));
    await new Promise((wake) => setImmediate(wake));
    // a2 waits for a1; b1 does not.
    expect(log).toEqual(['start a1', 'start b1']);
    gates.get('b1')?.();
    await b1;
    gates.get('a1')?.();
    await a1;
    await new Promise((wake) => setImmediate(wake));
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2']);
    gates.get('a2')?.();
    await a2;
  });

  it('a failing handler does not block the next one of its key', async () => {
    let calls = 0;
    const handler = inOrderPerKey(
      () => 'A',
      () => {
        calls++;
        return calls === 1
          ? Promise.reject(new Error('db down'))
          : Promise.resolve({ kind: 'ack' } as const);
      },
    );
    const first = handler(delivery('A', '1'));
    const second = handler(delivery('A', '2'));
    await expect(first).rejects.toThrow('db down');
    await expect(second).resolves.toEqual({ kind: 'ack' });
  });
});
