// iot-api's machine parameters, features, baseline reset and feature recompute requests, in-process
// over real TLS against the local stack's database; the reset also against the real sensor-analytics.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../internal/auth/index.js';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  EXCHANGE,
  QUEUES,
  deviceKey,
  measurementBatchCodec,
} from '../../internal/routing/index.js';
import { openConnection, rabbitAdmin, required } from '../../utils/test/brokers.js';
import { createSensor, testPool, uniqueSerial } from '../../utils/test/database.js';
import { startService, type ServiceProcess } from '../../utils/test/processes.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import type { ApiService } from './service.js';
import { TestApi, startTestApiService } from './test-support.js';

const env = stackEnv();
let service: ApiService;
let api: TestApi;
let pool: pg.Pool;
let admin: string;
let viewer: string;
let stranger: string;

beforeAll(async () => {
  let url: string;
  ({ service, url } = await startTestApiService());
  api = new TestApi(url);
  pool = testPool();
  admin = await api.login(required(env, 'IOT_ADMIN_USERNAME'), required(env, 'IOT_ADMIN_PASSWORD'));
  const viewerName = uniqueSerial('viewer').toLowerCase();
  await api.call('POST', '/api/v1/accounts', {
    token: admin,
    json: { username: viewerName, password: 'viewer-password-1', role: 'viewer' },
  });
  viewer = await api.login(viewerName, 'viewer-password-1');
  // Another organization's admin: our sensors and targets must be 404 to it.
  const org = uniqueSerial('org');
  const { rows } = await pool.query<{ id: string }>(
    'INSERT INTO organization (name) VALUES ($1) RETURNING id',
    [org],
  );
  await pool.query(
    `INSERT INTO account (organization_id, username, password_hash, role) VALUES ($1, $2, $3, 'admin')`,
    [rows[0]!.id, org.toLowerCase(), await hashPassword('stranger-password')],
  );
  stranger = await api.login(org.toLowerCase(), 'stranger-password', org);
});

afterAll(async () => {
  await service?.close();
  await api?.close();
  await pool?.end();
});

const BEARING = { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 };

it('the OpenAPI document has the new routes, generated from the schemas', async () => {
  const openapi = (await api.call('GET', '/api/v1/openapi.json')).body as {
    paths: Record<string, Record<string, { requestBody?: unknown }>>;
  };
  expect(Object.keys(openapi.paths)).toEqual(
    expect.arrayContaining([
      '/api/v1/targets/{name}',
      '/api/v1/sensors/{serial}/features',
      '/api/v1/sensors/{serial}/baseline/reset',
    ]),
  );
  // OpenAPI 3.0 has no null type: the body's nullable fields say `nullable`.
  expect(JSON.stringify(openapi.paths['/api/v1/targets/{name}']?.patch?.requestBody)).toContain(
    '"rpm":{"type":"number","exclusiveMinimum":0,"maximum":100000,"description":"running speed, rpm","nullable":true}',
  );
});

describe('targets with machine parameters', () => {
  it('creates a target with them, sets, clears and lists them', async () => {
    const name = uniqueSerial('pump');
    const created = await api.call('POST', '/api/v1/targets', {
      token: admin,
      json: {
        name,
        rpm: 1797,
        bearing: { balls: 9, ballMm: 7.94, pitchMm: 39.04 },
        isoClass: 'group2-rigid',
        controllerAddress: 'plc-7.factory.local:50051',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name,
      kind: 'fixed',
      rpm: 1797,
      bearing: BEARING,
      isoClass: 'group2-rigid',
      controllerAddress: 'plc-7.factory.local:50051',
    });

    const patched = await api.call('PATCH', `/api/v1/targets/${name}`, {
      token: admin,
      json: { rpm: 1480, bearing: null, controllerAddress: '[::1]:9000' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      rpm: 1480,
      bearing: null,
      isoClass: 'group2-rigid',
      controllerAddress: '[::1]:9000',
    });
    const row = await pool.query(
      'SELECT rpm, bearing_balls, bearing_angle_deg, iso_class FROM target WHERE name = $1',
      [name],
    );
    expect(row.rows[0]).toEqual({
      rpm: 1480,
      bearing_balls: null,
      bearing_angle_deg: null,
      iso_class: 'group2-rigid',
    });

    const cleared = await api.call('PATCH', `/api/v1/targets/${name}`, {
      token: admin,
      json: { isoClass: null, bearing: { ...BEARING, angleDeg: 15 } },
    });
    expect(cleared.body).toMatchObject({
      rpm: 1480,
      isoClass: null,
      bearing: { ...BEARING, angleDeg: 15 },
    });

    const listed = (await api.call('GET', '/api/v1/targets', { token: viewer })).body as {
      items: { name: string }[];
    };
    expect(listed.items.find((t) => t.name === name)).toMatchObject({ rpm: 1480 });

    // A plain target has none of them.
    const plain = await api.call('POST', '/api/v1/targets', {
      token: admin,
      json: { name: uniqueSerial('shelf') },
    });
    expect(plain.body).toMatchObject({
      rpm: null,
      bearing: null,
      isoClass: null,
      controllerAddress: null,
    });
  });

  it.each([
    ['rpm as a string', { rpm: '1500' }, /body.rpm: must be number or null, not string/],
    ['rpm zero', { rpm: 0 }, /body.rpm: must be > 0/],
    ['rpm too fast', { rpm: 100_001 }, /body.rpm: must be <= 100000/],
    ['balls as a float', { bearing: { ...BEARING, balls: 8.5 } }, /body.bearing.balls/],
    [
      'balls as a string',
      { bearing: { ...BEARING, balls: '9' } },
      /body.bearing.balls: must be integer, not string/,
    ],
    [
      'a bearing without pitch',
      { bearing: { balls: 9, ballMm: 7 } },
      /body.bearing.pitchMm: is required/,
    ],
    [
      'balls larger than the pitch',
      { bearing: { ...BEARING, ballMm: 40 } },
      /body.bearing.ballMm: must be less than pitchMm/,
    ],
    ['angle 90°', { bearing: { ...BEARING, angleDeg: 90 } }, /body.bearing.angleDeg: must be < 90/],
    ['an unknown ISO class', { isoClass: 'V' }, /body.isoClass: must be one of/],
    ['a controller without port', { controllerAddress: 'plc-7' }, /body.controllerAddress/],
    ['a controller port 0', { controllerAddress: 'plc-7:0' }, /body.controllerAddress/],
    ['a controller port too high', { controllerAddress: 'plc-7:65536' }, /body.controllerAddress/],
    ['an unknown field', { speed: 3 }, /body: unknown field "speed"/],
    ['nothing', {}, /body/],
  ])('PATCH refuses %s with 400 naming the field, changing nothing', async (_n, json, message) => {
    const name = uniqueSerial('fan');
    await api.call('POST', '/api/v1/targets', { token: admin, json: { name, rpm: 900 } });
    const res = await api.call('PATCH', `/api/v1/targets/${name}`, { token: admin, json });
    expect(res.status).toBe(400);
    expect(res.error?.code).toBe('invalid_request');
    expect(res.error?.message).toMatch(message);
    const row = await pool.query('SELECT rpm FROM target WHERE name = $1', [name]);
    expect(row.rows[0]).toEqual({ rpm: 900 });
  });

  it('create refuses bad parameters with 400 and creates nothing', async () => {
    const name = uniqueSerial('mill');
    for (const json of [
      { name, rpm: -5 },
      { name, rpm: null },
      { name, isoClass: 'group3' },
      { name, bearing: { ...BEARING, ballMm: 50 } },
      { name, controllerAddress: 7 },
    ]) {
      const res = await api.call('POST', '/api/v1/targets', { token: admin, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
    const rows = await pool.query('SELECT 1 FROM target WHERE name = $1', [name]);
    expect(rows.rowCount).toBe(0);
  });

  it('PATCH is for operators, and 404 for a target of another organization', async () => {
    const name = uniqueSerial('lathe');
    await api.call('POST', '/api/v1/targets', { token: admin, json: { name } });
    const patch = (token: string) =>
      api.call('PATCH', `/api/v1/targets/${name}`, { token, json: { rpm: 1000 } });
    expect((await patch(viewer)).status).toBe(403);
    expect((await patch(stranger)).status).toBe(404);
    expect((await patch(admin)).status).toBe(200);
    expect(
      (
        await api.call('PATCH', '/api/v1/targets/no-such-target', {
          token: admin,
          json: { rpm: 1 },
        })
      ).status,
    ).toBe(404);
  });
});

/** A stored window at `startS` seconds after t0 (1 s long), with the given baseline status. */
async function storeWindow(sensorId: number, t0: Date, startS: number, status = 'ready') {
  await pool.query(
    `INSERT INTO sensor_feature (sensor_id, window_start, window_end, sample_rate_hz,
       sample_count, acceleration_rms_g, acceleration_peak_g, crest_factor, kurtosis,
       velocity_rms_mm_s, iso_class, iso_zone, dominant_hz, dominant_amplitude_g, diagnosis,
       diagnosis_evidence, anomaly_score, baseline_status, feature_vector)
     VALUES ($1, $2::timestamptz + make_interval(secs => $3),
       $2::timestamptz + make_interval(secs => $3 + 1), 1000, 1000, 0.7071, 1, 1.414, 1.5,
       13.8, 'group2-rigid', 'C', 80, 1, 'imbalance', '1× 5.2 mm/s', 0.8, $4, '{}')`,
    [sensorId, t0, startS, status],
  );
}

describe('features', () => {
  it('lists windows newest first, within since/until, at most limit', async () => {
    const serial = uniqueSerial('FEAT');
    const id = await createSensor(pool, serial);
    const t0 = new Date('2026-01-01T00:00:00Z');
    for (let s = 0; s < 5; s++) await storeWindow(id, t0, s);
    const all = await api.call('GET', `/api/v1/sensors/${serial}/features`, { token: viewer });
    expect(all.status).toBe(200);
    const items = (all.body as { items: { windowStart: string }[] }).items;
    expect(items.map((f) => f.windowStart)).toEqual(
      [4, 3, 2, 1, 0].map((s) => new Date(t0.getTime() + s * 1000).toISOString()),
    );
    expect(items[0]).toEqual({
      windowStart: '2026-01-01T00:00:04.000Z',
      windowEnd: '2026-01-01T00:00:05.000Z',
      sampleRateHz: 1000,
      accelerationRmsG: 0.7071,
      accelerationPeakG: 1,
      crestFactor: 1.414,
      kurtosis: 1.5,
      velocityRmsMmS: 13.8,
      isoClass: 'group2-rigid',
      isoZone: 'C',
      dominantHz: 80,
      diagnosis: 'imbalance',
      diagnosisEvidence: '1× 5.2 mm/s',
      anomalyScore: 0.8,
      baselineStatus: 'ready',
      // No bearing on this window's machine: no defect lines.
      bpfoStrength: null,
      bpfiStrength: null,
      bsfStrength: null,
      ftfStrength: null,
    });
    const ranged = await api.call(
      'GET',
      `/api/v1/sensors/${serial}/features?since=2026-01-01T00:00:01Z&until=2026-01-01T00:00:04Z&limit=2`,
      { token: viewer },
    );
    expect(
      (ranged.body as { items: { windowStart: string }[] }).items.map((f) => f.windowStart),
    ).toEqual(['2026-01-01T00:00:03.000Z', '2026-01-01T00:00:02.000Z']);
  });

  it.each([
    ['since=yesterday', /querystring.since/],
    ['limit=0', /querystring.limit/],
    ['limit=1001', /querystring.limit/],
    ['since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', /until: must be after since/],
    ['from=2026-01-01T00:00:00Z', /unknown field "from"/],
  ])('refuses %s with 400', async (query, message) => {
    const serial = uniqueSerial('FEAT');
    await createSensor(pool, serial);
    const res = await api.call('GET', `/api/v1/sensors/${serial}/features?${query}`, {
      token: viewer,
    });
    expect(res.status).toBe(400);
    expect(res.error?.message).toMatch(message);
  });

  it("is 404 for another organization's sensor and for a bad serial 400", async () => {
    const serial = uniqueSerial('FEAT');
    const id = await createSensor(pool, serial);
    await storeWindow(id, new Date(), 0);
    const res = await api.call('GET', `/api/v1/sensors/${serial}/features`, { token: stranger });
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('imbalance');
    expect(
      (await api.call('GET', '/api/v1/sensors/bad_serial!/features', { token: viewer })).status,
    ).toBe(400);
  });
});

describe('baseline reset', () => {
  it('starts a stored baseline over at its rate and length, keeping the cursor', async () => {
    const serial = uniqueSerial('BASE');
    const id = await createSensor(pool, serial);
    const learned = {
      version: 1,
      rateHz: 1000,
      windows: 3,
      learned: 3,
      features: { rms: { n: 3, mean: 1, m2: 0.1 } },
    };
    await pool.query(
      `INSERT INTO sensor_baseline (sensor_id, baseline, next_start)
       VALUES ($1, $2, '2026-01-01T00:00:10Z')`,
      [id, JSON.stringify(learned)],
    );
    const res = await api.call('POST', `/api/v1/sensors/${serial}/baseline/reset`, {
      token: admin,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ serial, reset: true, windows: 3 });
    const { rows } = await pool.query<{ baseline: unknown; next_start: Date }>(
      'SELECT baseline, next_start FROM sensor_baseline WHERE sensor_id = $1',
      [id],
    );
    expect(rows[0]?.baseline).toEqual({
      version: 1,
      rateHz: 1000,
      windows: 3,
      learned: 0,
      features: {},
    });
    expect(rows[0]?.next_start.toISOString()).toBe('2026-01-01T00:00:10.000Z');
  });

  it('says so when there is no baseline yet; refuses viewers; 404 across organizations', async () => {
    const serial = uniqueSerial('BASE');
    await createSensor(pool, serial);
    const reset = (token: string, s = serial) =>
      api.call('POST', `/api/v1/sensors/${s}/baseline/reset`, { token });
    expect((await reset(admin)).body).toEqual({ serial, reset: false, windows: null });
    expect((await reset(viewer)).status).toBe(403);
    expect((await reset(stranger)).status).toBe(404);
    expect((await reset(admin, 'NOPE-0000')).status).toBe(404);
    expect((await reset(admin, 'bad_serial!')).status).toBe(400);
  });

  describe('with the real sensor-analytics', () => {
    let analytics: ServiceProcess | undefined;
    let amqp: { connection: AmqpConnection; publisher: Publisher };
    beforeAll(async () => {
      amqp = await openConnection('analytics-api-test');
      // Other tests' measurements may wait in this queue; they are not ours to analyse.
      await rabbitAdmin().purgeQueue(QUEUES.measurementsAnalytics);
      analytics = await startService('sensor-analytics', {
        env: { IOT_ANALYTICS_BASELINE_WINDOWS: '3' },
      });
    });
    afterAll(async () => {
      await analytics?.stop('SIGKILL');
      await amqp?.connection.close();
    });

    const RATE = 1000;
    const publishSecond = (serial: string, k: number, t0Us: number) =>
      amqp.publisher.publish(
        EXCHANGE,
        deviceKey(serial, 'measurements'),
        measurementBatchCodec.encode({
          serial,
          sequence: 1 + k,
          startTimeUs: t0Us + k * 1_000_000,
          sampleRateHz: RATE,
          values: Array.from({ length: RATE }, (_, i) =>
            Math.fround(Math.sin((2 * Math.PI * 80 * i) / RATE)),
          ),
          publishedAtMs: Date.now(),
        }),
      );

    async function statuses(serial: string, n: number): Promise<string[]> {
      let items: { baselineStatus: string }[] = [];
      await vi.waitFor(
        async () => {
          const res = await api.call('GET', `/api/v1/sensors/${serial}/features?limit=1000`, {
            token: viewer,
          });
          items = (res.body as { items: { baselineStatus: string }[] }).items;
          expect(items).toHaveLength(n);
        },
        { timeout: 60_000, interval: 200 },
      );
      return items.map((f) => f.baselineStatus).reverse();
    }

    it('after a reset the analysis learns again, then scores', async () => {
      const serial = uniqueSerial('RESET');
      await createSensor(pool, serial, { hz: RATE });
      const t0Us = (Date.now() - 60_000) * 1000;
      for (let k = 0; k < 4; k++) await publishSecond(serial, k, t0Us);
      expect(await statuses(serial, 4)).toEqual(['learning', 'learning', 'learning', 'ready']);

      const res = await api.call('POST', `/api/v1/sensors/${serial}/baseline/reset`, {
        token: admin,
      });
      expect(res.body).toEqual({ serial, reset: true, windows: 3 });

      for (let k = 4; k < 8; k++) await publishSecond(serial, k, t0Us);
      expect(await statuses(serial, 8)).toEqual([
        ...['learning', 'learning', 'learning', 'ready'],
        ...['learning', 'learning', 'learning', 'ready'],
      ]);
      const newest = (
        await api.call('GET', `/api/v1/sensors/${serial}/features?limit=1`, { token: viewer })
      ).body as { items: { anomalyScore: number | null }[] };
      expect(newest.items[0]?.anomalyScore).not.toBeNull();
    });
  });
});

describe('feature recompute', () => {
  it('queues a feature recompute for operators, follows it, and names what is wrong', async () => {
    const serial = uniqueSerial('RECO');
    const sensorDbId = await createSensor(pool, serial);
    const since = '2026-01-01T00:00:00.000Z';
    const until = '2026-01-01T01:00:00.000Z';
    const recompute = (token: string, json: unknown, s = serial) =>
      api.call('POST', `/api/v1/sensors/${s}/features/recompute`, { token, json });
    try {
      const queued = await recompute(admin, { since, until });
      expect(queued.status).toBe(202);
      const job = queued.body as { id: string };
      expect(job).toMatchObject({ serial, since, until, status: 'queued', windows: null });
      const followed = await api.call('GET', `/api/v1/feature-recomputes/${job.id}`, {
        token: viewer,
      });
      expect(followed.status).toBe(200);
      expect(followed.body).toEqual(job);

      const refused = async (json: unknown, message: RegExp) => {
        const res = await recompute(admin, json);
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body)).toMatch(message);
      };
      await refused({ since: until, until: since }, /body\.until: must be after since/);
      await refused({ since, until: '2026-01-02T00:00:00.001Z' }, /at most 24h/);
      await refused({ since }, /until/);
      await refused({ since, until: 'tomorrow' }, /until/);
      await refused({ since, until, force: true }, /force/);
      await refused({ since: 1, until }, /since/);
      expect((await recompute(viewer, { since, until })).status).toBe(403);
      expect((await recompute(stranger, { since, until })).status).toBe(404);
      expect((await recompute(admin, { since, until }, 'NOPE-0000')).status).toBe(404);
      const get = (token: string, id: string) =>
        api.call('GET', `/api/v1/feature-recomputes/${id}`, { token });
      expect((await get(stranger, job.id)).status).toBe(404);
      expect((await get(admin, 'abc')).status).toBe(404);
      expect((await get(admin, '99999999999999999999')).status).toBe(404);
    } finally {
      // Not for a sensor-analytics of another test to run.
      await pool.query('DELETE FROM feature_recompute WHERE sensor_id = $1', [sensorDbId]);
    }
  });
});
