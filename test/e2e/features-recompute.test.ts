// Features rebuilt from the stored waveform, end to end with the real processes: batches go
// through the broker into the ingester (blocks) and sensor-analytics (windows); the windows
// are then spoiled as an older algorithm might have left them, and `iotctl features
// recompute --wait` through the real iot-api brings back exactly what the live analysis
// computed, replacing every window of the range (and only those) in one go, again and again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  EXCHANGE,
  deviceKey,
  measurementBatchCodec,
  type MeasurementBatch,
} from '../../internal/routing/index.js';
import { openConnection, required } from '../../utils/test/brokers.js';
import { count, createSensor, testPool, uniqueSerial } from '../../utils/test/database.js';
import { iotctlJson as iotctlJsonIn, pointIotctlAt, runIotctl } from '../../utils/test/iotctl.js';
import { startService, type ServiceProcess } from '../../utils/test/processes.js';
import { stackEnv } from '../../utils/test/stack-env.js';

const env = stackEnv();
const workDir = mkdtempSync(path.join(tmpdir(), 'iot-e2e-recompute-'));
const xdg = path.join(workDir, 'config');
const iotctl = (args: string[], stdin = '') => runIotctl(xdg, args, stdin);
const iotctlJson = <T>(args: string[]) => iotctlJsonIn<T>(xdg, args);

let pool: pg.Pool;
let connection: AmqpConnection;
let publisher: Publisher;
const services: ServiceProcess[] = [];

const RATE = 1000;
const BATCHES = 10;
/** 80 Hz with a 3 % 240 Hz overtone: whole cycles per 1 s batch, a spectrum with two lines. */
const valueAt = (n: number) =>
  Math.fround(
    Math.sin((2 * Math.PI * 80 * n) / RATE) + 0.03 * Math.sin((2 * Math.PI * 240 * n) / RATE),
  );

function batch(serial: string, k: number, t0Us: number) {
  return {
    serial,
    sequence: 1 + k,
    startTimeUs: t0Us + k * 1_000_000,
    sampleRateHz: RATE,
    values: Array.from({ length: RATE }, (_, i) => valueAt(k * RATE + i)),
    publishedAtMs: Date.now(),
  } satisfies Omit<MeasurementBatch, 'schemaVersion'>;
}

interface Job {
  id: string;
  serial: string;
  status: string;
  blocks: number | null;
  removed: number | null;
  windows: number | null;
  error: string | null;
}

/** Every stored column of a sensor's windows that the analysis computes, in time order. */
async function windowsOf(sensorId: number): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT window_start, window_end, sample_rate_hz, sample_count, acceleration_rms_g,
            acceleration_peak_g, crest_factor, kurtosis, velocity_rms_mm_s, iso_class, iso_zone,
            dominant_hz, dominant_amplitude_g, envelope_band_rms_g, diagnosis
       FROM sensor_feature WHERE sensor_id = $1 ORDER BY window_start`,
    [sensorId],
  );
  return rows;
}

const iso = (us: number) => new Date(us / 1000).toISOString();

beforeAll(async () => {
  pool = testPool();
  ({ connection, publisher } = await openConnection('recompute-test'));
  services.push(await startService('sensor-measurements-ingester'));
  services.push(await startService('sensor-analytics'));
  const api = await startService('iot-api', { https: true });
  services.push(api);
  await pointIotctlAt(xdg, api.httpPort);
  const login = await iotctl(
    ['login', required(env, 'IOT_ADMIN_USERNAME'), '--password-stdin'],
    `${required(env, 'IOT_ADMIN_PASSWORD')}\n`,
  );
  expect(login.code).toBe(0);
});

afterAll(async () => {
  for (const service of services.reverse()) await service.stop();
  await connection?.close();
  await pool?.end();
});

describe('iotctl features recompute', () => {
  const serial = uniqueSerial('RECO');
  let sensorId: number;
  const t0Us = (Date.now() - 120_000) * 1000;
  let live: Record<string, unknown>[];

  beforeAll(async () => {
    sensorId = await createSensor(pool, serial, { hz: RATE });
    for (let k = 0; k < BATCHES; k++) {
      const b = batch(serial, k, t0Us);
      await publisher.publish(
        EXCHANGE,
        deviceKey(serial, 'measurements'),
        measurementBatchCodec.encode(b),
      );
    }
    const stored = (table: string) =>
      count(pool, `SELECT count(*) AS n FROM ${table} WHERE sensor_id = $1`, [sensorId]);
    await vi.waitFor(
      async () => {
        expect(await stored('sensor_measurement')).toBe(BATCHES);
        expect(await stored('sensor_feature')).toBe(BATCHES);
      },
      { timeout: 60_000, interval: 200 },
    );
    live = await windowsOf(sensorId);
  });

  it('replaces the windows of the range with what the live analysis computed', async () => {
    // What an older algorithm might have left: other numbers, a diagnosis, and a window at
    // other boundaries.
    await pool.query(
      `UPDATE sensor_feature SET acceleration_rms_g = 0, diagnosis = 'looseness'
        WHERE sensor_id = $1`,
      [sensorId],
    );
    await pool.query(
      `INSERT INTO sensor_feature (sensor_id, window_start, window_end, sample_rate_hz,
         sample_count, acceleration_rms_g, acceleration_peak_g, crest_factor, kurtosis,
         dominant_hz, dominant_amplitude_g, baseline_status, feature_vector)
       VALUES ($1, $2::timestamptz, $2::timestamptz + INTERVAL '2 s', $3, 2000, 9, 9, 1, 1, 1, 1,
         'none', '{}')`,
      [sensorId, iso(t0Us + 500_000), RATE],
    );

    const job = await iotctlJson<Job>([
      'features',
      'recompute',
      serial,
      '--since',
      iso(t0Us),
      '--until',
      iso(t0Us + BATCHES * 1_000_000),
      '--wait',
    ]);
    expect(job).toMatchObject({
      serial,
      status: 'done',
      blocks: BATCHES,
      removed: BATCHES + 1,
      windows: BATCHES,
      error: null,
    });
    expect(await windowsOf(sensorId)).toEqual(live);
  });

  it('touches only the windows that start in the range, and gives the same rows every time', async () => {
    await pool.query('UPDATE sensor_feature SET diagnosis = $2 WHERE sensor_id = $1', [
      sensorId,
      'looseness',
    ]);
    const since = iso(t0Us + 3_000_000);
    const until = iso(t0Us + 6_000_000);
    for (let run = 0; run < 2; run++) {
      const result = await iotctl([
        'features',
        'recompute',
        serial,
        '--since',
        since,
        '--until',
        until,
        '--wait',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Status\s+done/);
      expect(result.stdout).toMatch(/3 windows from 3 blocks \(3 old windows replaced\)/);
    }
    const rows = await windowsOf(sensorId);
    expect(rows.map((r) => r.diagnosis)).toEqual(
      live.map((_, k) => (k >= 3 && k < 6 ? null : 'looseness')),
    );
    expect(rows.slice(3, 6)).toEqual(live.slice(3, 6));
  });

  it('takes over a job whose replica died while running it', async () => {
    // A crashed replica leaves its job 'running', and its advisory lock died with it.
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO feature_recompute (sensor_id, since, until, status, requested_by, started_at)
       VALUES ($1, $2, $3, 'running', 'test', now()) RETURNING id`,
      [sensorId, iso(t0Us), iso(t0Us + BATCHES * 1_000_000)],
    );
    const id = rows[0]!.id;
    await vi.waitFor(
      async () =>
        expect(await iotctlJson<Job>(['get', 'recompute', id]).catch(() => null)).toMatchObject({
          status: 'done',
          windows: BATCHES,
        }),
      { timeout: 30_000, interval: 250 },
    );
    expect(await windowsOf(sensorId)).toEqual(live);
  });

  it('refuses a bad range with the reason, and a missing --since with usage', async () => {
    const backwards = await iotctl([
      'features',
      'recompute',
      serial,
      '--since',
      iso(t0Us + 1_000_000),
      '--until',
      iso(t0Us),
    ]);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toMatch(/body\.until: must be after since/);
    const tooLong = await iotctl(['features', 'recompute', serial, '--since', '25h']);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/at most 24h/);
    const unknown = await iotctl(['features', 'recompute', 'NOPE-0000', '--since', '1h']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not found/);
    const missing = await iotctl(['features', 'recompute', serial]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--since/);
  });
});
