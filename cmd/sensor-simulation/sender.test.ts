import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Outbox } from './outbox.js';
import { Sender, type OutgoingMessage } from './sender.js';

interface Message extends OutgoingMessage {
  readonly id: string;
}

const message = (id: string, kind = 'measurements'): Message => ({
  id,
  kind,
  topic: `sensor/S-1/${kind}`,
  encode: () => new TextEncoder().encode(id),
});

/** A fake broker: every publish waits until the test acks or fails it. */
function fakeBroker() {
  const inFlight: { id: string; ack: () => void; fail: (e: Error) => void }[] = [];
  let maxInFlight = 0;
  const publish = (_topic: string, payload: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      inFlight.push({ id: new TextDecoder().decode(payload), ack: resolve, fail: reject });
      maxInFlight = Math.max(maxInFlight, inFlight.length);
    });
  const settle = async (ids: string[], how: 'ack' | 'fail') => {
    for (const id of ids) {
      const i = inFlight.findIndex((p) => p.id === id);
      if (i < 0) throw new Error(`${id} is not in flight`);
      const [p] = inFlight.splice(i, 1);
      if (how === 'ack') p?.ack();
      else p?.fail(new Error('Connection closed'));
      await vi.advanceTimersByTimeAsync(0);
    }
  };
  return {
    publish,
    inFlightIds: () => inFlight.map((p) => p.id),
    maxInFlight: () => maxInFlight,
    ack: (...ids: string[]) => settle(ids, 'ack'),
    fail: (...ids: string[]) => settle(ids, 'fail'),
  };
}

function setup(window = 3) {
  const events = new Outbox<Message>(100);
  const batches = new Outbox<Message>(100);
  const seen = { published: [] as string[], confirmed: [] as string[], failed: [] as string[] };
  const sender = new Sender<Message>({
    queues: [events, batches],
    window,
    retryDelayMs: 1000,
    hooks: {
      onPublished: (m) => seen.published.push(m.id),
      onConfirmed: (m) => seen.confirmed.push(m.id),
      onFailed: (m) => seen.failed.push(m.id),
      onUnsendable: () => {},
    },
  });
  return { events, batches, seen, sender, broker: fakeBroker() };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Sender', () => {
  it('sends nothing without a publisher, then events before batches, within the window', async () => {
    const { events, batches, sender, broker, seen } = setup(3);
    for (const id of ['b1', 'b2', 'b3']) batches.push(message(id));
    events.push(message('boot', 'logs'));
    sender.kick();
    expect(seen.published).toEqual([]);
    expect(sender.pending).toBe(4);

    sender.setPublisher(broker.publish);
    expect(broker.inFlightIds()).toEqual(['boot', 'b1', 'b2']);
    await broker.ack('boot', 'b1');
    expect(broker.inFlightIds()).toEqual(['b2', 'b3']);
    await broker.ack('b2', 'b3');
    expect(seen.confirmed).toEqual(['boot', 'b1', 'b2', 'b3']);
    expect(broker.maxInFlight()).toBe(3);
    expect(sender.pending).toBe(0);
  });

  it('puts a failed publish back in front and retries it after a pause, counted once', async () => {
    const { batches, sender, broker, seen } = setup(2);
    for (const id of ['b1', 'b2', 'b3']) batches.push(message(id));
    sender.setPublisher(broker.publish);
    await broker.fail('b1');
    expect(seen.failed).toEqual(['b1']);
    expect(broker.inFlightIds()).toEqual(['b2']); // paused: nothing new goes out
    await vi.advanceTimersByTimeAsync(1000);
    expect(broker.inFlightIds()).toEqual(['b2', 'b1']);
    await broker.ack('b2', 'b1');
    await broker.ack('b3');
    expect(seen.confirmed).toEqual(['b2', 'b1', 'b3']);
    expect(seen.published).toEqual(['b1', 'b2', 'b3']);
  });

  it('idle() resolves once everything queued and in flight is confirmed', async () => {
    const { batches, sender, broker } = setup(8);
    let idle = false;
    await sender.idle(); // nothing pending: at once
    batches.push(message('b1'));
    batches.push(message('b2'));
    sender.setPublisher(broker.publish);
    void sender.idle().then(() => (idle = true));
    await broker.ack('b1');
    expect(idle).toBe(false);
    await broker.ack('b2');
    expect(idle).toBe(true);
  });

  it('takes back what a thrown-away client holds, and ignores its late settlements', async () => {
    const { batches, sender, broker, seen } = setup(2);
    for (const id of ['b1', 'b2', 'b3']) batches.push(message(id));
    sender.setPublisher(broker.publish);
    expect(broker.inFlightIds()).toEqual(['b1', 'b2']);
    const oldBroker = broker;
    sender.setPublisher(undefined);
    sender.abandonInFlight();
    expect(sender.inFlight).toBe(0);
    expect(batches.peekAll().map((m) => m.id)).toEqual(['b1', 'b2', 'b3']);

    const newBroker = fakeBroker();
    sender.setPublisher(newBroker.publish);
    expect(newBroker.inFlightIds()).toEqual(['b1', 'b2']);
    await oldBroker.ack('b1'); // too late: not counted twice, does not free a slot
    await oldBroker.fail('b2');
    expect(seen.confirmed).toEqual([]);
    expect(newBroker.inFlightIds()).toEqual(['b1', 'b2']);
    await newBroker.ack('b1', 'b2');
    await newBroker.ack('b3');
    expect(seen.confirmed).toEqual(['b1', 'b2', 'b3']);
    expect(seen.published).toEqual(['b1', 'b2', 'b3']);
    expect(sender.pending).toBe(0);
  });

  it('drops a message that cannot be encoded instead of retrying it forever', () => {
    const { batches, broker } = setup();
    const unsendable: string[] = [];
    const sender = new Sender<Message>({
      queues: [batches],
      hooks: { onConfirmed: () => {}, onUnsendable: (m) => unsendable.push(m.id) },
    });
    batches.push({
      ...message('bad'),
      encode: () => {
        throw new Error('NaN');
      },
    });
    batches.push(message('good'));
    sender.setPublisher(broker.publish);
    expect(unsendable).toEqual(['bad']);
    expect(broker.inFlightIds()).toEqual(['good']);
  });
});
