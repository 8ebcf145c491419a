// sensor-analytics as a real process against the local stack: batches published on the
// broker become one feature row per window with the numbers analytic truth predicts, poison
// is dead-lettered with its reason, the baseline survives a restart, and two replicas store
// each window once and in order.
import type { Channel, ChannelModel } from 'amqplib';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_QUEUE,
  EXCHANGE,
  QUEUES,
  derivedKey,
  deviceKey,
  featureEventCodec,
  measurementBatchCodec,
  type FeatureEvent,
  type MeasurementBatch,
} from '../../internal/routing/index.js';
import { parseBaseline } from '../../internal/vibration/index.js';
import { drainQueue, openConnection, rabbitAdmin, rawChannel } from '../../utils/test/brokers.js';
import { count, createSensor, testPool, uniqueSerial } from '../../utils/test/database.js';
import { metricValue, startService, type ServiceProcess } from '../../utils/test/processes.js';
import { stackEnv } from '../../utils/test/stack-env.js';

const admin = rabbitAdmin();
let pool: pg.Pool;
let connection: AmqpConnection;
let publisher: Publisher;
let raw: { model: ChannelModel; channel: Channel };
let services: ServiceProcess[] = [];

const startAnalytics = async (env: Record<string, string> = {}) => {
  const service = await startService('sensor-analytics', { env });
  services.push(service);
  return service;
};

beforeAll(async () => {
  pool = testPool();
  ({ connection, publisher } = await openConnection('analytics-test'));
  raw = await rawChannel();
});
afterAll(async () => {
  await connection.close();
  await raw.model.close();
  await pool.end();
});
beforeEach(async () => {
  // Other tests publish measurements too; this queue has had no consumer until now.
  for (const q of [QUEUES.measurementsAnalytics, QUEUES.featuresAlarms, DEAD_LETTER_QUEUE]) {
    await admin.purgeQueue(q);
  }
});
afterEach(async () => {
  for (const service of services) await service.stop('SIGKILL');
  services = [];
});

const RATE = 1000;
/** 80 Hz: a whole number of cycles per 1000-sample batch, so no leakage between windows. */
const SINE_HZ = 80;
const SINE_G = 1;

/** Batch k (1 s) of a sensor's sine, contiguous from t0Us. */
function sineBatch(serial: string, k: number, t0Us: number, amplitude = SINE_G) {
  return {
    serial,
    sequence: 1 + k,
    startTimeUs: t0Us + k * 1_000_000,
    sampleRateHz: RATE,
    values: Array.from({ length: RATE }, (_, i) =>
      Math.fround(amplitude * Math.sin((2 * Math.PI * SINE_HZ * (k * RATE + i)) / RATE)),
    ),
    publishedAtMs: Date.now(),
  } satisfies Omit<MeasurementBatch, 'schemaVersion'>;
}

const publishBatch = (b: ReturnType<typeof sineBatch>) =>
  publisher.publish(EXCHANGE, deviceKey(b.serial, 'measurements'), measurementBatchCodec.encode(b));

interface FeatureRow {
  start_s: number;
  end_s: number;
  acceleration_rms_g: number;
  acceleration_peak_g: number;
  crest_factor: number;
  velocity_rms_mm_s: number | null;
  dominant_hz: number;
  baseline_status: string;
  anomaly_score: number | null;
  diagnosis: string | null;
}

/** A sensor's windows in time order, times in seconds after t0. */
async function featuresOf(sensorId: number, t0Us: number): Promise<FeatureRow[]> {
  const { rows } = await pool.query<FeatureRow>(
    `SELECT extract(epoch FROM window_start)::float8 - $2::float8 / 1e6 AS start_s,
            extract(epoch FROM window_end)::float8 - $2::float8 / 1e6 AS end_s,
            acceleration_rms_g, acceleration_peak_g, crest_factor, velocity_rms_mm_s,
            dominant_hz, baseline_status, anomaly_score, diagnosis
       FROM sensor_feature WHERE sensor_id = $1 ORDER BY window_start`,
    [sensorId, t0Us],
  );
  return rows.map((r) => ({
    ...r,
    start_s: Math.round(r.start_s * 1e6) / 1e6,
    end_s: Math.round(r.end_s * 1e6) / 1e6,
  }));
}

async function baselineOf(sensorId: number) {
  const { rows } = await pool.query<{ baseline: unknown }>(
    'SELECT baseline FROM sensor_baseline WHERE sensor_id = $1',
    [sensorId],
  );
  return rows[0] === undefined ? undefined : parseBaseline(rows[0].baseline);
}

const windowsStored = async (sensorId: number) =>
  count(pool, 'SELECT count(*) AS n FROM sensor_feature WHERE sensor_id = $1', [sensorId]);

async function waitForWindows(sensorId: number, n: number) {
  await vi.waitFor(async () => expect(await windowsStored(sensorId)).toBe(n), {
    timeout: 60_000,
    interval: 100,
  });
}

/** A private queue that receives one sensor's feature events. */
async function listenForFeatures(serial: string) {
  const { queue } = await raw.channel.assertQueue('', { exclusive: true, autoDelete: true });
  await raw.channel.bindQueue(queue, EXCHANGE, derivedKey(serial, 'features'));
  return async (): Promise<FeatureEvent[]> =>
    (await drainQueue(raw.channel, queue)).map((m) => featureEventCodec.decode(m.content));
}

describe('sensor-analytics', () => {
  it('stores one row per window with the numbers of a known sine, and announces it', async () => {
    const serial = uniqueSerial('SINE');
    const id = await createSensor(pool, serial, { hz: RATE });
    const events = await listenForFeatures(serial);
    const analytics = await startAnalytics();
    const t0Us = (Date.now() - 60_000) * 1000;
    for (let k = 0; k < 5; k++) await publishBatch(sineBatch(serial, k, t0Us));
    await waitForWindows(id, 5);

    const rows = await featuresOf(id, t0Us);
    // Windows are the batches: [k, k + 1) s, each starting where the one before ended.
    expect(rows.map((r) => [r.start_s, r.end_s])).toEqual([0, 1, 2, 3, 4].map((k) => [k, k + 1]));
    // The samples land 2π·0.08 apart in phase, so the largest is sin(2π·0.24), not 1.
    const sampledPeak = Math.max(...sineBatch(serial, 0, t0Us).values.map(Math.abs));
    for (const row of rows) {
      // Analytic truth: a sine's RMS is A/√2. The samples travel as float32 (7 digits), and
      // 80 whole cycles fill the window: 1e-5 covers the rounding.
      expect(row.acceleration_rms_g).toBeCloseTo(SINE_G / Math.SQRT2, 5);
      expect(row.acceleration_peak_g).toBeCloseTo(sampledPeak, 5);
      expect(row.crest_factor).toBeCloseTo(sampledPeak * Math.SQRT2, 4);
      // 1000 samples at 1 kHz: 1 Hz resolution; the peak interpolates to the line.
      expect(Math.abs(row.dominant_hz - SINE_HZ)).toBeLessThan(0.05);
      // Velocity RMS of an acceleration sine: A·g / (2π f) / √2 = 13.80 mm/s. 2 %: the band
      // integration sums the Hann main lobe's bins, whose energy is corrected to within 1–2 %.
      const velocity = (SINE_G * 9806.65) / (2 * Math.PI * SINE_HZ) / Math.SQRT2;
      expect(row.velocity_rms_mm_s).toBeGreaterThan(velocity * 0.98);
      expect(row.velocity_rms_mm_s).toBeLessThan(velocity * 1.02);
      expect(row.baseline_status).toBe('learning');
      expect(row.diagnosis).toBeNull();
    }
    // The latest spectrum is kept, its peak at 80 Hz.
    const spectrum = await pool.query<{ step: number; spectrum: number[] }>(
      'SELECT spectrum_step_hz AS step, spectrum FROM sensor_spectrum WHERE sensor_id = $1',
      [id],
    );
    const { step, spectrum: values } = spectrum.rows[0]!;
    // 1000 samples zero-padded to 1024: bins of 0.977 Hz, 80 Hz lies 0.08 bin off one, so its
    // peak is that bin's, within a bin, at the full amplitude less a Hann scalloping of < 1 %.
    const peakBucket = values.indexOf(Math.max(...values));
    expect(Math.abs(peakBucket * step - SINE_HZ)).toBeLessThanOrEqual(step);
    expect(Math.abs(Math.max(...values) - SINE_G)).toBeLessThan(0.01);

    // One event per window on sensor.<serial>.features, with the same numbers.
    await vi.waitFor(async () => {
      const text = await analytics.metrics();
      expect(metricValue(text, 'iot_analytics_windows_total')).toBe(5);
    });
    const announced = await events();
    expect(announced.map((e) => (e.windowStartUs - t0Us) / 1e6)).toEqual([0, 1, 2, 3, 4]);
    expect(announced[0]?.accelerationRmsG).toBeCloseTo(SINE_G / Math.SQRT2, 5);
    expect(announced[0]?.baselineStatus).toBe('learning');
    const text = await analytics.metrics();
    expect(metricValue(text, 'iot_analytics_latency_seconds_count')).toBe(5);
    expect(metricValue(text, 'iot_analytics_processing_seconds_count')).toBe(5);
  });

  it('joins batches into the configured window, and skips a batch published twice', async () => {
    const serial = uniqueSerial('WIN');
    const id = await createSensor(pool, serial, { hz: RATE });
    const analytics = await startAnalytics({ IOT_ANALYTICS_WINDOW: '2s' });
    const t0Us = (Date.now() - 60_000) * 1000;
    for (let k = 0; k < 5; k++) await publishBatch(sineBatch(serial, k, t0Us));
    await publishBatch(sineBatch(serial, 1, t0Us));
    await vi.waitFor(async () => {
      const text = await analytics.metrics();
      expect(metricValue(text, 'iot_analytics_messages_total', { outcome: 'ack' })).toBe(6);
    });
    const rows = await featuresOf(id, t0Us);
    expect(rows.map((r) => [r.start_s, r.end_s])).toEqual([
      [0, 2],
      [2, 4],
    ]);
    expect(rows[0]?.acceleration_rms_g).toBeCloseTo(SINE_G / Math.SQRT2, 5);
    expect(metricValue(await analytics.metrics(), 'iot_analytics_duplicate_batches_total')).toBe(1);
  });

  it('dead-letters bad messages with the reason, and goes on analysing', async () => {
    const serial = uniqueSerial('BAD');
    const id = await createSensor(pool, serial, { hz: RATE });
    const ghost = uniqueSerial('GHOST');
    const analytics = await startAnalytics({ IOT_ANALYTICS_UNKNOWN_SERIAL_TIMEOUT: '1s' });
    const key = deviceKey(serial, 'measurements');
    const good = sineBatch(serial, 0, (Date.now() - 60_000) * 1000);
    const poison: [string, Uint8Array, string, RegExp][] = [
      ['garbage', Buffer.from('\x00\xffnot protobuf at all'), key, /not a valid MeasurementBatch/],
      [
        'wrong schema version',
        measurementBatchCodec.encode({ ...good, schemaVersion: 9 }),
        key,
        /schema_version 9/,
      ],
      [
        'NaN values',
        measurementBatchCodec.encode({ ...good, values: [1, NaN, 2] }),
        key,
        /values\[1\]/,
      ],
      [
        'a serial that is not its publisher',
        measurementBatchCodec.encode(good),
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
    await vi.waitFor(async () => {
      const text = await analytics.metrics();
      expect(metricValue(text, 'iot_analytics_messages_total', { outcome: 'dead-letter' })).toBe(
        poison.length,
      );
      expect(metricValue(text, 'iot_analytics_messages_total', { outcome: 'ack' })).toBe(1);
    });
    expect(await windowsStored(id)).toBe(1);
    const dead = await drainQueue(raw.channel, DEAD_LETTER_QUEUE);
    const reasons = dead.map((m) => String(m.properties.headers?.[DEAD_LETTER_HEADERS.reason]));
    expect(reasons).toHaveLength(poison.length);
    for (const [name, , , reason] of poison) {
      expect(
        reasons.some((r) => reason.test(r)),
        `${name}: ${reasons.join(' | ')}`,
      ).toBe(true);
    }
    for (const m of dead) {
      expect(m.properties.headers?.[DEAD_LETTER_HEADERS.queue]).toBe(QUEUES.measurementsAnalytics);
    }
  });

  it('requeues while the database refuses the write, and stores everything once it is back', async () => {
    const serial = uniqueSerial('DBDOWN');
    const id = await createSensor(pool, serial, { hz: RATE });
    const analytics = await startAnalytics();
    const t0Us = (Date.now() - 60_000) * 1000;
    // The owner hides the table the features go to: every write fails, as with a database
    // that is down, without stopping the stack's database under the other tests.
    const owner = new pg.Client({ connectionString: stackEnv().IOT_DATABASE_OWNER_URL });
    await owner.connect();
    try {
      await owner.query('ALTER TABLE sensor_feature RENAME TO sensor_feature_away');
      try {
        for (let k = 0; k < 3; k++) await publishBatch(sineBatch(serial, k, t0Us));
        await vi.waitFor(
          async () => {
            const text = await analytics.metrics();
            expect(
              metricValue(text, 'iot_analytics_messages_total', { outcome: 'requeue' }),
            ).toBeGreaterThanOrEqual(3);
          },
          { timeout: 20_000, interval: 200 },
        );
      } finally {
        await owner.query('ALTER TABLE sensor_feature_away RENAME TO sensor_feature');
      }
    } finally {
      await owner.end();
    }
    await waitForWindows(id, 3);
    const rows = await featuresOf(id, t0Us);
    expect(rows.map((r) => r.start_s)).toEqual([0, 1, 2]);
    expect((await baselineOf(id))?.learned).toBe(3);
    expect(
      metricValue(await analytics.metrics(), 'iot_analytics_messages_total', {
        outcome: 'dead-letter',
      }),
    ).toBe(0);
    expect((await raw.channel.checkQueue(DEAD_LETTER_QUEUE)).messageCount).toBe(0);
  });

  it('keeps the baseline across a restart: learning continues, then scoring starts', async () => {
    const serial = uniqueSerial('BASE');
    const id = await createSensor(pool, serial, { hz: RATE });
    const env = { IOT_ANALYTICS_BASELINE_WINDOWS: '5' };
    const first = await startAnalytics(env);
    const t0Us = (Date.now() - 60_000) * 1000;
    for (let k = 0; k < 3; k++) await publishBatch(sineBatch(serial, k, t0Us));
    await waitForWindows(id, 3);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect((await baselineOf(id))?.learned).toBe(3);

    await startAnalytics(env);
    for (let k = 3; k < 7; k++) await publishBatch(sineBatch(serial, k, t0Us));
    // Window 7 is twice as strong: scored against the baseline, it stands out.
    await publishBatch(sineBatch(serial, 7, t0Us, 2 * SINE_G));
    await waitForWindows(id, 8);
    const rows = await featuresOf(id, t0Us);
    // Five windows taught the baseline (three before the restart, two after); no relearning.
    expect(rows.map((r) => r.baseline_status)).toEqual([
      ...Array<string>(5).fill('learning'),
      ...Array<string>(3).fill('ready'),
    ]);
    const baseline = await baselineOf(id);
    expect(baseline?.learned).toBe(5);
    expect(baseline?.features.ln_acceleration_rms?.n).toBe(5);
    // The same sine as learned scores near 0; double the amplitude (ln 2 ≈ 0.69 on the level
    // features, several standard-deviation floors of ln 1.25 / 3 ≈ 0.074) scores far above 3.
    expect(rows[5]?.anomaly_score).toBeLessThan(1);
    expect(rows[6]?.anomaly_score).toBeLessThan(1);
    expect(rows[7]?.anomaly_score).toBeGreaterThan(3);
  });

  it('analyses a batch overtaken by the next at the start of a stream late, not as a duplicate', async () => {
    const serial = uniqueSerial('LATE');
    const id = await createSensor(pool, serial, { hz: RATE });
    const analytics = await startAnalytics();
    const t0Us = (Date.now() - 60_000) * 1000;
    // What another replica can do to a stream's first batch: take the second in first.
    await publishBatch(sineBatch(serial, 1, t0Us));
    await waitForWindows(id, 1);
    await publishBatch(sineBatch(serial, 0, t0Us));
    await waitForWindows(id, 2);
    const rows = await featuresOf(id, t0Us);
    expect(rows.map((r) => [r.start_s, r.end_s])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(rows[0]?.acceleration_rms_g).toBeCloseTo(SINE_G / Math.SQRT2, 5);
    // Both windows taught the baseline, once each; the cursor stayed after the second.
    expect((await baselineOf(id))?.features.ln_acceleration_rms?.n).toBe(2);
    // Now a real redelivery of the late one: covered by its window, so skipped.
    await publishBatch(sineBatch(serial, 0, t0Us));
    await publishBatch(sineBatch(serial, 2, t0Us));
    await waitForWindows(id, 3);
    await vi.waitFor(async () =>
      expect(metricValue(await analytics.metrics(), 'iot_analytics_duplicate_batches_total')).toBe(
        1,
      ),
    );
    expect(metricValue(await analytics.metrics(), 'iot_analytics_gaps_total')).toBe(0);
  });

  it('two replicas store each window once and in order', async () => {
    const serial = uniqueSerial('REPL');
    const id = await createSensor(pool, serial, { hz: RATE });
    const env = { IOT_ANALYTICS_BASELINE_WINDOWS: '20' };
    const replicas = [await startAnalytics(env), await startAnalytics(env)];
    const t0Us = (Date.now() - 600_000) * 1000;
    const total = 80;
    // The sensor's first batch ever has no cursor before it to wait for (sensor-analysis.ts):
    // overtaken, it is analysed late (the test above). Here the order is what is checked, so
    // it goes in first, as a device's first batch comes well before its second.
    await publishBatch(sineBatch(serial, 0, t0Us));
    await waitForWindows(id, 1);
    // Then all at once: both replicas hold batches of the same sensor in flight together.
    await Promise.all(
      Array.from({ length: total - 1 }, (_, k) => publishBatch(sineBatch(serial, k + 1, t0Us))),
    );
    await waitForWindows(id, total);
    const { rows } = await pool.query<{ start_s: number; joint_us: number | null }>(
      `SELECT extract(epoch FROM window_start)::float8 - $2::float8 / 1e6 AS start_s,
              extract(epoch FROM window_start - lag(window_end) OVER w)::float8 * 1e6 AS joint_us
         FROM sensor_feature WHERE sensor_id = $1
       WINDOW w AS (ORDER BY window_start) ORDER BY analysed_at`,
      [id, t0Us],
    );
    // Analysed in time order (analysed_at is taken under the sensor's lock), each window once,
    // each starting where the one before it ended.
    expect(rows.map((r) => Math.round(r.start_s))).toEqual(
      Array.from({ length: total }, (_, k) => k),
    );
    expect(rows.slice(1).every((r) => Math.round(r.joint_us ?? -1) === 0)).toBe(true);
    // The baseline learned the first 20 windows, each once.
    const statuses = (await featuresOf(id, t0Us)).map((r) => r.baseline_status);
    expect(statuses).toEqual([
      ...Array<string>(20).fill('learning'),
      ...Array<string>(total - 20).fill('ready'),
    ]);
    expect((await baselineOf(id))?.features.ln_acceleration_rms?.n).toBe(20);
    // Both replicas did part of the work.
    const perReplica = await Promise.all(
      replicas.map(async (r) => metricValue(await r.metrics(), 'iot_analytics_windows_total')),
    );
    expect(perReplica.every((n) => n > 0)).toBe(true);
    expect(perReplica[0]! + perReplica[1]!).toBe(total);
  });
});
