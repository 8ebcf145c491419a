// Thousands of random and mutated device messages (fast-check, a fixed seed so a failure
// replays) at the real registry and ingesters, as processes: valid messages with hostile
// strings (NUL, bidi overrides, overlong firmware), flipped and truncated bytes, random bytes,
// unknown serials. No service crashes, every message is settled (its queue drains: stored,
// or dead-lettered with a reason), and the services are ready afterwards.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_QUEUE,
  EXCHANGE,
  QUEUES,
  deviceKey,
  locationCodec,
  logLineCodec,
  measurementBatchCodec,
  registrationCodec,
} from '../../internal/routing/index.js';
import { openConnection, rabbitAdmin, rawChannel } from '../../utils/test/brokers.js';
import { uniqueSerial } from '../../utils/test/database.js';
import { startService, type ServiceProcess } from '../../utils/test/processes.js';

/** Messages thrown: a few thousand, bounded so the run stays within a minute or two. */
const MESSAGES = 3000;
/** Fixed: the same messages on every run, so a failure can be replayed. */
const SEED = 15;
/** The queues the three services consume, and the other copies the same keys make. */
const CONSUMED = [
  QUEUES.registry,
  QUEUES.measurementsDbWriter,
  QUEUES.locationsDbWriter,
  QUEUES.logs,
] as const;
const OTHER_COPIES = [QUEUES.registryApi, QUEUES.measurementsAnalytics] as const;

let services: ServiceProcess[] = [];
let amqp: { connection: AmqpConnection; publisher: Publisher };

beforeAll(async () => {
  amqp = await openConnection('device-fuzz');
  // Unknown serials wait this long for enrolment before they are dead-lettered.
  const env = { IOT_INGEST_UNKNOWN_SERIAL_TIMEOUT: '1s' };
  services = await Promise.all(
    ['sensor-registry', 'sensor-measurements-ingester', 'sensor-logs-ingester'].map((name) =>
      startService(name, { env }),
    ),
  );
});

afterAll(async () => {
  for (const service of services) await service.stop();
  await amqp?.connection.close();
  const admin = rabbitAdmin();
  for (const queue of OTHER_COPIES) await admin.purgeQueue(queue);
});

const serials = [uniqueSerial('FZA'), uniqueSerial('FZB')];
const now = Date.now();

const hostile = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('\u0000', 'v1\u0000', '\u202eevil', 'x'.repeat(300), 'x'.repeat(5000)),
);
const time = fc.oneof(
  fc.integer({ min: now - 3_600_000, max: now }),
  fc.constantFrom(0, -1, now + 86_400_000, Number.MAX_SAFE_INTEGER),
);

/** A well-formed message of one kind, with hostile values where devices put strings. */
const valid = fc.oneof(
  fc.record({ serial: fc.constantFrom(...serials), firmwareVersion: hostile, mount: hostile }).map(
    (r) =>
      [
        'registry',
        r.serial,
        registrationCodec.encode({
          serial: r.serial,
          sampleFrequencyHz: 1000,
          firmwareVersion: r.firmwareVersion,
          mount: r.mount === '' ? 'fixed' : (r.mount as 'fixed'),
          bootedAtMs: now,
          reportedAtMs: now,
          state: 'awake',
        }),
      ] as const,
  ),
  fc
    .record({
      serial: fc.constantFrom(...serials),
      sequence: fc.integer({ min: -2, max: 1_000_000 }),
      start: time,
      hz: fc.constantFrom(0, 1, 1000, 25_600, 1e9, Number.NaN),
      values: fc.array(fc.float(), { maxLength: 50 }),
    })
    .map(
      (b) =>
        [
          'measurements',
          b.serial,
          measurementBatchCodec.encode({
            serial: b.serial,
            sequence: b.sequence,
            startTimeUs: b.start * 1000,
            sampleRateHz: b.hz,
            values: b.values,
            publishedAtMs: now,
          }),
        ] as const,
    ),
  fc
    .record({ serial: fc.constantFrom(...serials), at: time, lat: fc.double(), lon: fc.double() })
    .map(
      (l) =>
        [
          'locations',
          l.serial,
          locationCodec.encode({
            serial: l.serial,
            timeMs: l.at,
            latitude: l.lat,
            longitude: l.lon,
            altitudeM: 0,
            speedMps: 0,
            headingDeg: 0,
            accuracyM: 5,
          }),
        ] as const,
    ),
  fc
    .record({
      serial: fc.constantFrom(...serials),
      at: time,
      level: hostile,
      message: hostile,
      fields: fc.dictionary(hostile, hostile, { maxKeys: 40 }),
    })
    .map(
      (l) =>
        [
          'logs',
          l.serial,
          logLineCodec.encode({
            serial: l.serial,
            timeMs: l.at,
            level: l.level,
            message: l.message,
            fields: l.fields,
          }),
        ] as const,
    ),
);

/** A valid message, or its bytes flipped, cut or replaced, or sent under another serial. */
const message = fc.oneof(
  valid,
  fc
    .tuple(
      valid,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([[kind, serial, bytes], flips]) => {
      const copy = Buffer.from(bytes);
      for (const [at, value] of flips) if (copy.length > 0) copy[at % copy.length] = value;
      return [kind, serial, copy] as const;
    }),
  fc.tuple(valid, fc.nat()).map(([[kind, serial, bytes], cut]) => {
    return [kind, serial, bytes.subarray(0, cut % Math.max(1, bytes.length))] as const;
  }),
  fc
    .tuple(
      fc.constantFrom('registry', 'measurements', 'locations', 'logs'),
      fc.uint8Array({ maxLength: 300 }),
    )
    .map(([kind, bytes]) => [kind, serials[0]!, bytes] as const),
  valid.map(([kind, , bytes]) => [kind, uniqueSerial('FZX'), bytes] as const),
);

describe('fuzzing the device-facing services', () => {
  it(`${MESSAGES} random and mutated messages: every one settled, no service down`, async () => {
    const admin = rabbitAdmin();
    const deadBefore = (await admin.queueStats(DEAD_LETTER_QUEUE)).messages;
    const messages = fc.sample(message, { numRuns: MESSAGES, seed: SEED });
    for (const [kind, serial, bytes] of messages) {
      await amqp.publisher.publish(EXCHANGE, deviceKey(serial, kind), Buffer.from(bytes));
    }

    // Settled: nothing ready, nothing unacknowledged, in any consumed queue.
    for (let i = 0; ; i++) {
      const stats = await Promise.all(CONSUMED.map((q) => admin.queueStats(q)));
      if (stats.every((s) => s.messages === 0)) break;
      if (i > 600) throw new Error(`not settled: ${JSON.stringify(stats)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    for (const service of services) {
      expect(service.child.exitCode, `${service.name}: ${service.output()}`).toBeNull();
      expect(await service.metrics()).toContain('# HELP');
    }
    // The poison went to the dead-letter queue, each with its reason.
    const dead = (await admin.queueStats(DEAD_LETTER_QUEUE)).messages - deadBefore;
    expect(dead).toBeGreaterThan(MESSAGES / 10);
    const raw = await rawChannel();
    try {
      for (let i = 0; i < 20; i++) {
        const got = await raw.channel.get(DEAD_LETTER_QUEUE, { noAck: false });
        if (!got) break;
        expect(got.properties.headers?.[DEAD_LETTER_HEADERS.reason]).toEqual(expect.any(String));
        raw.channel.nack(got, false, true);
      }
    } finally {
      await raw.model.close();
    }
  });
});
