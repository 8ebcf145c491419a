// The registry as a real process: enrolls once, updates a known sensor, parks bad input.
import type { Channel, ChannelModel } from 'amqplib';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_QUEUE,
  EXCHANGE,
  QUEUES,
  deviceKey,
  registrationCodec,
} from '../../internal/routing/index.js';
import { drainQueue, openConnection, rabbitAdmin, rawChannel } from '../../utils/test/brokers.js';
import { testPool, uniqueSerial } from '../../utils/test/database.js';
import { metricValue, startService, type ServiceProcess } from '../../utils/test/processes.js';

let pool: pg.Pool;
let connection: AmqpConnection;
let publisher: Publisher;
let raw: { model: ChannelModel; channel: Channel };
let registry: ServiceProcess;

beforeAll(async () => {
  pool = testPool();
  ({ connection, publisher } = await openConnection('registry-test'));
  raw = await rawChannel();
  for (const q of [QUEUES.registry, DEAD_LETTER_QUEUE]) await rabbitAdmin().purgeQueue(q);
  registry = await startService('sensor-registry');
});
afterAll(async () => {
  await registry.stop('SIGKILL');
  await connection.close();
  await raw.model.close();
  await pool.end();
});

const register = (
  serial: string,
  hz: number,
  key = deviceKey(serial, 'registry'),
  reportedAtMs = Date.now(),
) =>
  publisher.publish(
    EXCHANGE,
    key,
    registrationCodec.encode({
      serial,
      sampleFrequencyHz: hz,
      firmwareVersion: '2.1.0',
      mount: 'fixed',
      bootedAtMs: Date.now(),
      reportedAtMs,
      state: 'awake',
    }),
  );

async function settledCount(): Promise<number> {
  const text = await registry.metrics();
  return ['enrolled', 'updated', 'dead-lettered'].reduce(
    (sum, result) => sum + metricValue(text, 'iot_registry_registrations_total', { result }),
    0,
  );
}

describe('sensor-registry', () => {
  it('enrolls a new serial once and updates its frequency on re-registration', async () => {
    const serial = uniqueSerial('REG');
    const before = await settledCount();
    await register(serial, 1000);
    await register(serial, 1000);
    await register(serial, 2000);
    await vi.waitFor(async () => expect(await settledCount()).toBe(before + 3), {
      timeout: 20_000,
    });
    const { rows } = await pool.query<{ sample_frequency: number; firmware_version: string }>(
      'SELECT sample_frequency, firmware_version FROM sensor WHERE serial_number = $1',
      [serial],
    );
    expect(rows).toEqual([{ sample_frequency: 2000, firmware_version: '2.1.0' }]);
  });

  it('keeps the settings of a later report when an older announcement arrives after it', async () => {
    // The device's acks (stored by iot-api) and announcements (stored here) travel on two
    // queues; the device's clock orders them, not the order they are stored in.
    const serial = uniqueSerial('REG');
    const before = await settledCount();
    const key = deviceKey(serial, 'registry');
    const sentAt = Date.now();
    await register(serial, 250, key, 0); // firmware that does not date its announcements
    await register(serial, 500, key, sentAt);
    await register(serial, 100, key, sentAt - 1_000);
    await vi.waitFor(async () => expect(await settledCount()).toBe(before + 3), {
      timeout: 20_000,
    });
    const { rows } = await pool.query<{ sample_frequency: number; reported_at: Date }>(
      'SELECT sample_frequency, reported_at FROM sensor WHERE serial_number = $1',
      [serial],
    );
    expect(rows).toEqual([{ sample_frequency: 500, reported_at: new Date(sentAt) }]);
  });

  it('dead-letters an invalid registration with the reason', async () => {
    const before = await settledCount();
    await register(uniqueSerial('REG'), 1e9);
    await register('NOT-ME', 100, deviceKey('SOMEONE', 'registry'));
    await publisher.publish(EXCHANGE, deviceKey('X1', 'registry'), Buffer.from('garbage'));
    await vi.waitFor(async () => expect(await settledCount()).toBe(before + 3), {
      timeout: 20_000,
    });
    const reasons = (await drainQueue(raw.channel, DEAD_LETTER_QUEUE)).map((m) =>
      String(m.properties.headers?.[DEAD_LETTER_HEADERS.reason]),
    );
    expect(reasons).toEqual([
      expect.stringMatching(/sample_frequency_hz: 1000000000 Hz is outside/),
      expect.stringMatching(/published as SOMEONE/),
      expect.stringMatching(/not a valid Registration/),
    ]);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const second = await startService('sensor-registry');
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
