// The ingester as a real process against the local stack: what is published is stored once,
// with exact timestamps, whatever the broker redelivers, whatever the process survives.
import type { Channel, ChannelModel } from 'amqplib';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_QUEUE,
  EXCHANGE,
  QUEUES,
  deviceKey,
  locationCodec,
  measurementBatchCodec,
  type MeasurementBatch,
} from '../../internal/routing/index.js';
import { drainQueue, openConnection, rabbitAdmin, rawChannel } from '../../utils/test/brokers.js';
import {
  blockJoints,
  count,
  createSensor,
  createTarget,
  samplesOf,
  testPool,
  uniqueSerial,
} from '../../utils/test/database.js';
import { metricValue, startService, type ServiceProcess } from '../../utils/test/processes.js';

const admin = rabbitAdmin();
let pool: pg.Pool;
let connection: AmqpConnection;
let publisher: Publisher;
let raw: { model: ChannelModel; channel: Channel };
let services: ServiceProcess[] = [];

const startIngester = async (env: Record<string, string> = {}) => {
  const service = await startService('sensor-measurements-ingester', { env });
  services.push(service);
  return service;
};

beforeAll(async () => {
  pool = testPool();
  ({ connection, publisher } = await openConnection('ingester-test'));
  raw = await rawChannel();
});
afterAll(async () => {
  await connection.close();
  await raw.model.close();
  await pool.end();
});
beforeEach(async () => {
  for (const q of [QUEUES.measurementsDbWriter, QUEUES.locationsDbWriter, DEAD_LETTER_QUEUE]) {
    await admin.purgeQueue(q);
  }
});
afterEach(async () => {
  for (const service of services) await service.stop('SIGKILL');
  services = [];
});

/** Batch `k` of a sensor sampling at `rate`, `size` samples each, contiguous from `t0Us`. */
function batch(serial: string, k: number, rate: number, size: number, t0Us: number) {
  return {
    serial,
    sequence: 1_000 + k,
    startTimeUs: t0Us + Math.round((k * size * 1e6) / rate),
    sampleRateHz: rate,
    values: Array.from({ length: size }, (_, i) => Math.sin(i / 10)),
    publishedAtMs: Date.now(),
  } satisfies Omit<MeasurementBatch, 'schemaVersion'>;
}

const publishBatch = (b: ReturnType<typeof batch>) =>
  publisher.publish(EXCHANGE, deviceKey(b.serial, 'measurements'), measurementBatchCodec.encode(b));

const rowsOf = (sensorId: number) => samplesOf(pool, sensorId);

/** Waits until the ingesters have settled (acked or dead-lettered) `n` messages of `queue`. */
async function settled(ingesters: ServiceProcess[], queue: string, n: number) {
  await vi.waitFor(
    async () => {
      let total = 0;
      for (const ingester of ingesters) {
        const text = await ingester.metrics();
        for (const outcome of ['ack', 'dead-letter']) {
          total += metricValue(text, 'iot_ingest_messages_total', { queue, outcome });
        }
      }
      expect(total).toBe(n);
    },
    { timeout: 60_000, interval: 100 },
  );
}

/** Ready messages in a queue without consumers, from the broker itself (not the stats API). */
const readyIn = async (queue: string) => (await raw.channel.checkQueue(queue)).messageCount;

describe('sensor-measurements-ingester', () => {
  it('stores every sample once, sample i at start + i/rate exactly', async () => {
    const t0Us = (Date.now() - 60_000) * 1000;
    const sensors = [
      { serial: uniqueSerial('ING'), rate: 1000, size: 1000 },
      { serial: uniqueSerial('ING'), rate: 200, size: 200 },
    ];
    const ids = await Promise.all(sensors.map((s) => createSensor(pool, s.serial, { hz: s.rate })));
    await startIngester();
    for (let k = 0; k < 10; k++) {
      for (const s of sensors) await publishBatch(batch(s.serial, k, s.rate, s.size, t0Us));
    }
    for (const [i, s] of sensors.entries()) {
      await vi.waitFor(async () => expect(await rowsOf(ids[i] as number)).toBe(10 * s.size), {
        timeout: 30_000,
        interval: 200,
      });
      // Ten blocks, each starting exactly where the one before it ended.
      expect(await blockJoints(pool, ids[i] as number)).toEqual([[0, 9]]);
      // Read back as samples, consecutive ones lie exactly one period apart, across block
      // boundaries too, from the first batch's start.
      const gaps = await pool.query<{ gap_us: string; n: string }>(
        `SELECT extract(epoch FROM gap) * 1e6 AS gap_us, count(*) AS n FROM (
           SELECT time - lag(time) OVER (ORDER BY time) AS gap
             FROM sensor_samples($1, '-infinity', 'infinity')) g
          WHERE gap IS NOT NULL GROUP BY gap`,
        [s.serial],
      );
      expect(gaps.rows.map((r) => [Math.round(Number(r.gap_us)), Number(r.n)])).toEqual([
        [1e6 / s.rate, 10 * s.size - 1],
      ]);
      const first = await pool.query<{ us: string }>(
        `SELECT (extract(epoch FROM min(start_time)) * 1e6)::bigint AS us
           FROM sensor_measurement WHERE sensor_id = $1`,
        [ids[i]],
      );
      expect(Number(first.rows[0]?.us)).toBe(t0Us);
    }
    // last_seen is coalesced: one UPDATE per interval for every sensor heard from.
    await vi.waitFor(async () => {
      const recent = await count(
        pool,
        `SELECT count(*) AS n FROM sensor
          WHERE id = ANY($1) AND last_seen > now() - interval '1 minute'`,
        [ids],
      );
      expect(recent).toBe(2);
    });
  });

  it('stores a batch published twice once, and counts the duplicate', async () => {
    const serial = uniqueSerial('DUP');
    const id = await createSensor(pool, serial, { hz: 100 });
    const ingester = await startIngester();
    const b = batch(serial, 0, 100, 100, Date.now() * 1000 - 5e6);
    await publishBatch(b);
    await publishBatch(b);
    await settled([ingester], QUEUES.measurementsDbWriter, 2);
    expect(await rowsOf(id)).toBe(100);
    expect(metricValue(await ingester.metrics(), 'iot_ingest_duplicate_batches_total')).toBe(1);
  });

  it('kill -9 mid-stream loses nothing and doubles nothing', async () => {
    const serial = uniqueSerial('KILL');
    const id = await createSensor(pool, serial, { hz: 1000 });
    const t0Us = (Date.now() - 600_000) * 1000;
    const first = await startIngester({ IOT_INGEST_BATCH_ROWS: '5000' });
    const total = 300;
    const publishing = (async () => {
      for (let k = 0; k < total; k++) await publishBatch(batch(serial, k, 1000, 1000, t0Us));
    })();
    // Kill it once it has committed part of the stream.
    await vi.waitFor(async () => expect(await rowsOf(id)).toBeGreaterThan(20_000), {
      timeout: 60_000,
      interval: 50,
    });
    await first.stop('SIGKILL');
    const atKill = await rowsOf(id);
    await publishing;
    await startIngester();
    await vi.waitFor(async () => expect(await rowsOf(id)).toBe(total * 1000), {
      timeout: 60_000,
      interval: 200,
    });
    expect(atKill).toBeLessThan(total * 1000);
    expect(await rowsOf(id)).toBe(total * 1000);
    expect(
      await count(
        pool,
        `SELECT count(DISTINCT time) AS n FROM sensor_samples($1, '-infinity', 'infinity')`,
        [serial],
      ),
    ).toBe(total * 1000);
  });

  it('parks poison in the dead-letter queue with a reason and keeps ingesting', async () => {
    const serial = uniqueSerial('POISON');
    const id = await createSensor(pool, serial, { hz: 100 });
    const ghost = uniqueSerial('GHOST');
    const ingester = await startIngester({ IOT_INGEST_UNKNOWN_SERIAL_TIMEOUT: '1s' });
    const key = deviceKey(serial, 'measurements');
    const good = batch(serial, 0, 100, 100, Date.now() * 1000 - 5e6);
    const poison: [string, Uint8Array, string, RegExp][] = [
      ['garbage', Buffer.from('\x00\xffnot protobuf at all'), key, /not a valid MeasurementBatch/],
      [
        'wrong schema version',
        measurementBatchCodec.encode({ ...good, sequence: 2, schemaVersion: 9 }),
        key,
        /schema_version 9/,
      ],
      [
        'NaN values',
        measurementBatchCodec.encode({ ...good, sequence: 3, values: [1, NaN, 2] }),
        key,
        /values\[1\]/,
      ],
      [
        // Over MAX_MESSAGE_BYTES, under the broker's max_message_size (1 MiB): ours to refuse.
        'a hundred thousand values',
        measurementBatchCodec.encode({
          ...good,
          sequence: 4,
          values: new Array<number>(1e5).fill(0.5),
        }),
        key,
        /message: \d+ bytes exceeds/,
      ],
      [
        'a serial that is not its publisher',
        measurementBatchCodec.encode({ ...good, sequence: 5 }),
        deviceKey('SOMEONE-ELSE', 'measurements'),
        /published as SOMEONE-ELSE/,
      ],
      [
        'an unknown serial',
        measurementBatchCodec.encode({ ...good, serial: ghost, publishedAtMs: Date.now() - 2000 }),
        deviceKey(ghost, 'measurements'),
        /unknown serial GHOST-.*not enrolled/,
      ],
    ];
    for (const [, body, routingKey] of poison) await publisher.publish(EXCHANGE, routingKey, body);
    await publishBatch(good);
    await settled([ingester], QUEUES.measurementsDbWriter, poison.length + 1);
    expect(await rowsOf(id)).toBe(100);
    const dead = await drainQueue(raw.channel, DEAD_LETTER_QUEUE);
    const reasons = dead.map((m) => String(m.properties.headers?.[DEAD_LETTER_HEADERS.reason]));
    expect(reasons).toHaveLength(poison.length);
    for (const [name, , , reason] of poison) {
      expect(
        reasons.some((r) => reason.test(r)),
        `${name}: ${reasons.join(' | ')}`,
      ).toBe(true);
    }
  });

  it('waits for a serial that is enrolled after its first batch', async () => {
    const serial = uniqueSerial('LATE');
    const ingester = await startIngester();
    await publishBatch(batch(serial, 0, 100, 100, Date.now() * 1000 - 5e6));
    // The batch is being requeued while the serial is unknown, not dead-lettered.
    await vi.waitFor(async () => {
      const text = await ingester.metrics();
      const queue = QUEUES.measurementsDbWriter;
      expect(
        metricValue(text, 'iot_ingest_messages_total', { queue, outcome: 'requeue' }),
      ).toBeGreaterThan(0);
    });
    const id = await createSensor(pool, serial, { hz: 100 });
    await vi.waitFor(async () => expect(await rowsOf(id)).toBe(100), { timeout: 20_000 });
    expect(await readyIn(DEAD_LETTER_QUEUE)).toBe(0);
  });

  it('two replicas share the queue and store everything once', async () => {
    const serial = uniqueSerial('REPL');
    const id = await createSensor(pool, serial, { hz: 500 });
    const [a, b] = [await startIngester(), await startIngester()];
    const t0Us = (Date.now() - 600_000) * 1000;
    await Promise.all(
      Array.from({ length: 200 }, (_, k) => publishBatch(batch(serial, k, 500, 500, t0Us))),
    );
    await settled([a, b], QUEUES.measurementsDbWriter, 200);
    expect(await rowsOf(id)).toBe(200 * 500);
    const perReplica = await Promise.all(
      [a, b].map(async (s) => metricValue(await s.metrics(), 'iot_ingest_batches_total')),
    );
    expect(perReplica[0]! + perReplica[1]!).toBe(200);
  });

  it('stores GPS fixes under the target, or under the sensor alone, once each', async () => {
    const truck = await createTarget(pool, uniqueSerial('truck'), 'mobile');
    const onTruck = uniqueSerial('GPS');
    const loose = uniqueSerial('GPS');
    const truckSensor = await createSensor(pool, onTruck, { targetId: truck });
    const looseSensor = await createSensor(pool, loose);
    const ingester = await startIngester();
    const base = Date.now() - 10_000;
    const fix = (serial: string, i: number) =>
      locationCodec.encode({
        serial,
        timeMs: base + i * 1000,
        latitude: 59.33 + i / 1000,
        longitude: 18.06,
        altitudeM: 20,
        speedMps: 12,
        headingDeg: 90,
        accuracyM: 4,
      });
    for (let i = 0; i < 3; i++) {
      await publisher.publish(EXCHANGE, deviceKey(onTruck, 'locations'), fix(onTruck, i));
      await publisher.publish(EXCHANGE, deviceKey(loose, 'locations'), fix(loose, i));
    }
    await publisher.publish(EXCHANGE, deviceKey(onTruck, 'locations'), fix(onTruck, 0));
    await settled([ingester], QUEUES.locationsDbWriter, 7);
    const rows = await pool.query<{ sensor_id: string; target_id: string | null; n: string }>(
      `SELECT sensor_id, target_id, count(*) AS n FROM target_location
        WHERE sensor_id = ANY($1) GROUP BY 1, 2 ORDER BY 1`,
      [[truckSensor, looseSensor]],
    );
    expect(
      rows.rows.map((r) => [Number(r.sensor_id), r.target_id && Number(r.target_id), Number(r.n)]),
    ).toEqual([
      [truckSensor, truck, 3],
      [looseSensor, null, 3],
    ]);
  });

  it('refuses a block that overlaps a stored one, with the reason, and keeps the rest', async () => {
    const serial = uniqueSerial('OVL');
    const id = await createSensor(pool, serial, { hz: 100 });
    const ingester = await startIngester();
    const t0Us = Date.now() * 1000 - 60e6;
    const stored = [0, 1, 2].map((k) => batch(serial, k, 100, 100, t0Us));
    for (const b of stored) await publishBatch(b);
    await settled([ingester], QUEUES.measurementsDbWriter, 3);
    const overlapping = [
      // Half a second into block 1, under a new sequence number (a device clock that jumped).
      { ...batch(serial, 1, 100, 100, t0Us), sequence: 5_000, startTimeUs: t0Us + 1_500_000 },
      // Block 2's start again with other data: not a redelivery.
      { ...batch(serial, 2, 100, 50, t0Us), sequence: 5_001, startTimeUs: t0Us + 2_000_000 },
      // Ends 10 ms into block 0: caught by the block after it.
      { ...batch(serial, 0, 100, 100, t0Us), sequence: 5_002, startTimeUs: t0Us - 990_000 },
    ];
    for (const b of overlapping) await publishBatch(b);
    // Two overlapping each other in one group, next to nothing stored: the second is refused.
    const fresh = t0Us + 10e6;
    await publishBatch({ ...batch(serial, 0, 100, 100, fresh), sequence: 6_000 });
    await publishBatch({ ...batch(serial, 0, 100, 100, fresh + 500_000), sequence: 6_001 });
    await settled([ingester], QUEUES.measurementsDbWriter, 8);
    expect(await rowsOf(id)).toBe(400);
    const dead = await drainQueue(raw.channel, DEAD_LETTER_QUEUE);
    const reasons = dead.map((m) => String(m.properties.headers?.[DEAD_LETTER_HEADERS.reason]));
    expect(reasons).toHaveLength(4);
    for (const sequence of [5_000, 5_001, 5_002, 6_001]) {
      expect(
        reasons.some((r) => r.includes(`block sequence ${sequence} `) && /overlaps/.test(r)),
      ).toBe(true);
    }
    expect(reasons.find((r) => r.includes('sequence 5000'))).toMatch(/stored block sequence 1001/);
    expect(metricValue(await ingester.metrics(), 'iot_ingest_duplicate_batches_total')).toBe(0);
  });

  it('dead-letters a reused sequence number with other samples; a true redelivery is a duplicate', async () => {
    const serial = uniqueSerial('SEQ');
    const id = await createSensor(pool, serial, { hz: 100 });
    const ingester = await startIngester();
    const t0Us = Date.now() * 1000 - 60e6;
    const original = batch(serial, 0, 100, 100, t0Us);
    await publishBatch(original);
    await settled([ingester], QUEUES.measurementsDbWriter, 1);
    // A redelivery of it, then its sequence number reused with other samples.
    const reused = { ...original, values: original.values.map((v) => v + 0.5) };
    await publishBatch(original);
    await publishBatch(reused);
    // And both in one group: the second of them differs from the first.
    const fresh = batch(serial, 5, 100, 100, t0Us);
    await publishBatch(fresh);
    await publishBatch({ ...fresh, values: fresh.values.map((v) => -v) });
    await settled([ingester], QUEUES.measurementsDbWriter, 5);
    expect(await rowsOf(id)).toBe(200);
    const dead = await drainQueue(raw.channel, DEAD_LETTER_QUEUE);
    const reasons = dead.map((m) => String(m.properties.headers?.[DEAD_LETTER_HEADERS.reason]));
    expect(reasons, reasons.join('\n')).toHaveLength(2);
    expect(reasons.every((r) => r.startsWith('sequence-reused: block sequence'))).toBe(true);
    expect(metricValue(await ingester.metrics(), 'iot_ingest_duplicate_batches_total')).toBe(1);
  });

  it('stores consecutive batches whose rounded times overlap by a microsecond', async () => {
    // Two samples at 3 Hz last 666,666.7 µs: the device starts batch k at t0 + round(k · that),
    // the platform ends it at its start + round(that), so batch 1 ends 1 µs after batch 2
    // begins. They meet; nothing is refused.
    const serial = uniqueSerial('MEET');
    const id = await createSensor(pool, serial, { hz: 3 });
    const ingester = await startIngester();
    const t0Us = Math.floor(Date.now() / 1000) * 1e6 - 60e6;
    for (let k = 0; k < 4; k++) await publishBatch(batch(serial, k, 3, 2, t0Us));
    await settled([ingester], QUEUES.measurementsDbWriter, 4);
    expect(await rowsOf(id)).toBe(8);
    expect(await readyIn(DEAD_LETTER_QUEUE)).toBe(0);
    expect((await blockJoints(pool, id)).map(([us]) => us).sort()).toEqual([-1, 0]);
  });

  it('reads samples back at start + i/rate to the microsecond, for any range', async () => {
    const serial = uniqueSerial('READ');
    await createSensor(pool, serial, { hz: 3 });
    await startIngester();
    // 3 Hz: sample periods of 333,333.3 µs, rounded per sample from each block's start.
    const t0Us = Math.floor(Date.now() / 1000) * 1e6 - 30e6;
    for (let k = 0; k < 3; k++) {
      await publishBatch({ ...batch(serial, k, 3, 3, t0Us), values: [k, k + 0.25, k + 0.5] });
    }
    const read = async (fromUs: number, toUs: number) => {
      const { rows } = await pool.query<{ us: string; value: number }>(
        `SELECT (extract(epoch FROM time) * 1e6)::bigint AS us, value
           FROM sensor_samples($1, 'epoch'::timestamptz + $2 * interval '1 microsecond',
                                   'epoch'::timestamptz + $3 * interval '1 microsecond')`,
        [serial, fromUs, toUs],
      );
      return rows.map((r) => [Number(r.us) - t0Us, r.value]);
    };
    await vi.waitFor(async () => expect(await read(t0Us, t0Us + 3e6)).toHaveLength(9), {
      timeout: 20_000,
    });
    expect(await read(t0Us, t0Us + 3e6)).toEqual([
      [0, 0],
      [333_333, 0.25],
      [666_667, 0.5],
      [1_000_000, 1],
      [1_333_333, 1.25],
      [1_666_667, 1.5],
      [2_000_000, 2],
      [2_333_333, 2.25],
      [2_666_667, 2.5],
    ]);
    // A range across a block boundary: from inclusive, to exclusive.
    expect(await read(t0Us + 666_667, t0Us + 1_333_333)).toEqual([
      [666_667, 0.5],
      [1_000_000, 1],
    ]);
    expect(await read(t0Us + 3e6, t0Us + 4e6)).toEqual([]);

    // 25.6 kHz: i * 39.0625 µs has ties at .5, rounded up as the ingester does (313, not 312).
    const fast = uniqueSerial('READ');
    await createSensor(pool, fast, { hz: 25_600 });
    const ramp = Array.from({ length: 9 }, (_, i) => i);
    await publishBatch({ ...batch(fast, 0, 25_600, 9, t0Us), serial: fast, values: ramp });
    const readFast = async () =>
      (
        await pool.query<{ us: string }>(
          `SELECT (extract(epoch FROM time) * 1e6)::bigint AS us
             FROM sensor_samples($1, '-infinity', 'infinity')`,
          [fast],
        )
      ).rows.map((r) => Number(r.us) - t0Us);
    await vi.waitFor(async () => expect(await readFast()).toHaveLength(9), { timeout: 20_000 });
    expect(await readFast()).toEqual([0, 39, 78, 117, 156, 195, 234, 273, 313]);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const ingester = await startIngester();
    expect(await ingester.stop('SIGTERM')).toBe(0);
  });
});
