// The real sensor-logs-ingester process against the local stack: LogLines published to `iot`
// end up in sensor_log and in the day file; poison ends in the dead-letter queue; a serial
// enrolled after its first line is waited for; SIGTERM stops it cleanly.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_QUEUE,
  EXCHANGE,
  QUEUES,
  deviceKey,
  logLineCodec,
} from '../../internal/routing/index.js';
import { drainQueue, openConnection, rabbitAdmin, rawChannel } from '../../utils/test/brokers.js';
import { count, createSensor, testPool, uniqueSerial } from '../../utils/test/database.js';
import { metricValue, startService, type ServiceProcess } from '../../utils/test/processes.js';

const WAIT = { timeout: 30_000, interval: 200 };

describe('sensor-logs-ingester against the local stack', () => {
  let pool: pg.Pool;
  let broker: { connection: AmqpConnection; publisher: Publisher };
  let raw: { model: ChannelModel; channel: Channel };
  let logDir: string;
  let ingester: ServiceProcess | undefined;
  const sensorIds: number[] = [];
  const deadLetters: GetMessage[] = [];

  const enroll = async (serial: string) => {
    const id = await createSensor(pool, serial, { hz: 100 });
    sensorIds.push(id);
    return id;
  };
  const publishLine = (serial: string, message: string, timeMs = Date.now(), version = 1) =>
    broker.publisher.publish(
      EXCHANGE,
      deviceKey(serial, 'logs'),
      logLineCodec.encode({
        schemaVersion: version,
        serial,
        timeMs,
        level: 'info',
        message,
        fields: { test: 'logs-ingester' },
      }),
    );
  const rows = (sensorId: number) =>
    count(pool, 'SELECT count(*) AS n FROM sensor_log WHERE sensor_id = $1', [sensorId]);
  /** Every line of every day file (a test running across midnight writes two). */
  const fileLines = async () => {
    const names = (await readdir(logDir)).filter((name) => name.endsWith('.log')).sort();
    const texts = await Promise.all(names.map((name) => readFile(path.join(logDir, name), 'utf8')));
    return texts
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  const collectDeadLetters = async () => {
    deadLetters.push(...(await drainQueue(raw.channel, DEAD_LETTER_QUEUE)));
    return deadLetters;
  };
  const reasonOf = (message: GetMessage) =>
    String(message.properties.headers?.[DEAD_LETTER_HEADERS.reason] ?? '');

  beforeAll(async () => {
    const admin = rabbitAdmin();
    await admin.purgeQueue(QUEUES.logs);
    await admin.purgeQueue(DEAD_LETTER_QUEUE);
    pool = testPool();
    broker = await openConnection('sensor-logs-ingester-test');
    raw = await rawChannel();
    logDir = await mkdtemp(path.join(tmpdir(), 'iot-sensor-logs-'));
    ingester = await startService('sensor-logs-ingester', {
      env: { IOT_SENSOR_LOG_DIR: logDir },
    });
  });

  afterAll(async () => {
    await ingester?.stop('SIGKILL');
    await broker?.connection.close();
    await raw?.model.close();
    if (pool) {
      await pool.query('DELETE FROM sensor_log WHERE sensor_id = ANY($1)', [sensorIds]);
      await pool.query('DELETE FROM sensor WHERE id = ANY($1)', [sensorIds]);
      await pool.end();
    }
    if (logDir) await rm(logDir, { recursive: true, force: true });
  });

  it('stores every line in sensor_log and in the day file', async () => {
    const serial = uniqueSerial('LOGS');
    const sensorId = await enroll(serial);
    const base = Date.now() - 10_000;
    const messages = Array.from({ length: 25 }, (_, i) => `line ${i} of ${serial}`);
    await Promise.all(messages.map((message, i) => publishLine(serial, message, base + i)));

    await vi.waitFor(async () => expect(await rows(sensorId)).toBe(messages.length), WAIT);
    const { rows: stored } = await pool.query<{ time: Date; level: string; fields: unknown }>(
      'SELECT time, level, fields FROM sensor_log WHERE sensor_id = $1 ORDER BY time LIMIT 1',
      [sensorId],
    );
    expect(stored[0]).toEqual({
      time: new Date(base),
      level: 'info',
      fields: { test: 'logs-ingester' },
    });

    // A sensor that only logs (asleep) is still heard from.
    await vi.waitFor(
      async () =>
        expect(
          await count(
            pool,
            "SELECT count(*) AS n FROM sensor WHERE id = $1 AND last_seen > now() - interval '1 minute'",
            [sensorId],
          ),
        ).toBe(1),
      WAIT,
    );

    const lines = (await fileLines()).filter((line) => line.serial === serial);
    expect(lines.map((line) => line.message).sort()).toEqual([...messages].sort());
    expect(lines.find((line) => line.message === messages[0])).toEqual({
      time: new Date(base).toISOString(),
      serial,
      level: 'info',
      message: messages[0],
      fields: { test: 'logs-ingester' },
    });
  });

  it('stores a line published twice once', async () => {
    const serial = uniqueSerial('LOGS');
    const sensorId = await enroll(serial);
    const before = metricValue(
      await ingester!.metrics(),
      'iot_sensor_logs_duplicates_skipped_total',
    );
    const timeMs = Date.now() - 1000;
    await publishLine(serial, 'said twice', timeMs);
    await publishLine(serial, 'said twice', timeMs);

    await vi.waitFor(async () => {
      const metrics = await ingester!.metrics();
      expect(metricValue(metrics, 'iot_sensor_logs_duplicates_skipped_total')).toBe(before + 1);
    }, WAIT);
    expect(await rows(sensorId)).toBe(1);
  });

  it('dead-letters garbage and a wrong schema version, and keeps ingesting', async () => {
    const serial = uniqueSerial('LOGS');
    const sensorId = await enroll(serial);
    await broker.publisher.publish(
      EXCHANGE,
      deviceKey(serial, 'logs'),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
    );
    await publishLine(serial, 'from the future firmware', Date.now(), 2);
    await publishLine(serial, 'still here');

    await vi.waitFor(async () => {
      const mine = (await collectDeadLetters()).filter(
        (message) => message.fields.routingKey === deviceKey(serial, 'logs'),
      );
      expect(mine.map(reasonOf).sort()).toEqual([
        expect.stringMatching(/has schema_version 2/),
        expect.stringMatching(/^not a valid LogLine message/),
      ]);
      for (const message of mine) {
        expect(message.properties.headers?.[DEAD_LETTER_HEADERS.queue]).toBe(QUEUES.logs);
      }
    }, WAIT);
    await vi.waitFor(async () => expect(await rows(sensorId)).toBe(1), WAIT);
  });

  it('stores a line from a serial enrolled a second after it', async () => {
    const serial = uniqueSerial('LOGS');
    await publishLine(serial, 'booting before enrolment');
    // The scenario, not an assertion: the registry enrolls the device a moment later.
    await new Promise((wake) => setTimeout(wake, 1000));
    const sensorId = await enroll(serial);

    await vi.waitFor(async () => expect(await rows(sensorId)).toBe(1), WAIT);
    const parked = (await collectDeadLetters()).filter(
      (message) => message.fields.routingKey === deviceKey(serial, 'logs'),
    );
    expect(parked).toEqual([]);
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await ingester!.stop('SIGTERM')).toBe(0);
  });
});
