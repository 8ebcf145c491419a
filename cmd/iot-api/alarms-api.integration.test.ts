// iot-api's alarms, rules, fleet health and live events, in-process over real TLS against the
// local stack; the live stream also against the real sensor-alarms process, fed on the broker.
import type pg from 'pg';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Publisher } from '../../internal/pubsub/index.js';
import { EXCHANGE, QUEUES, derivedKey, featureEventCodec } from '../../internal/routing/index.js';
import { openConnection, rabbitAdmin, required } from '../../utils/test/brokers.js';
import { createSensor, createTarget, testPool, uniqueSerial } from '../../utils/test/database.js';
import { startService, type ServiceProcess } from '../../utils/test/processes.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import type { ApiService } from './service.js';
import { TestApi, startTestApiService } from './test-support.js';

const env = stackEnv();
/** IOT_API_STREAMS_PER_ACCOUNT's default (cmd/iot-api/config.ts); the test service keeps it. */
const DEFAULT_STREAMS_PER_ACCOUNT = 8;
let service: ApiService;
let api: TestApi;
let url: string;
let pool: pg.Pool;
let admin: string;
let viewer: string;
let services: ServiceProcess[] = [];

beforeAll(async () => {
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
});
afterEach(async () => {
  for (const s of services) await s.stop('SIGKILL');
  services = [];
});
afterAll(async () => {
  await service?.close();
  await api?.close();
  await pool?.end();
});

async function target() {
  const name = uniqueSerial('machine');
  const id = await createTarget(pool, name, 'fixed');
  return { name, id };
}

describe('rules', () => {
  it('shows the defaults, sets a rule, returns a field to its default', async () => {
    const { name } = await target();
    const rules = await api.call('GET', `/api/v1/targets/${name}/rules`, { token: viewer });
    const items = (rules.body as { items: { rule: string }[] }).items;
    expect(items.map((r) => r.rule)).toEqual([
      'iso-zone-c',
      'iso-zone-d',
      'bearing-fault',
      'anomaly',
      'sensor-fault',
      'offline',
    ]);
    expect(items[2]).toMatchObject({
      rule: 'bearing-fault',
      enabled: true,
      threshold: null,
      unit: null,
      raiseAfterSeconds: 3,
      clearAfterSeconds: 10,
      severity: 'major',
      action: null,
      overridden: [],
    });

    const set = await api.call('PATCH', `/api/v1/targets/${name}/rules/bearing-fault`, {
      token: admin,
      json: { action: 'reduce-speed', raiseAfterSeconds: 5, severity: 'critical' },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      action: 'reduce-speed',
      raiseAfterSeconds: 5,
      severity: 'critical',
      overridden: ['raiseAfterSeconds', 'severity', 'action'],
    });
    const back = await api.call('PATCH', `/api/v1/targets/${name}/rules/bearing-fault`, {
      token: admin,
      json: { severity: null },
    });
    expect(back.body).toMatchObject({
      severity: 'major',
      overridden: ['raiseAfterSeconds', 'action'],
    });
  });

  it.each([
    [
      'a threshold on a rule that takes none',
      'bearing-fault',
      { threshold: 3 },
      /^body\.threshold: bearing-fault takes none/,
    ],
    [
      'a threshold out of its unit’s range',
      'offline',
      { threshold: 0.5 },
      /^body\.threshold: must be 1\.\.604800 s/,
    ],
    ['an unknown rule', 'vibration', { enabled: true }, /^params\.rule: must be one of iso-zone-c/],
    ['an unknown severity', 'anomaly', { severity: 'high' }, /^body\.severity: must be one of/],
    ['an unknown field', 'anomaly', { thresold: 3 }, /^body: unknown field "thresold"/],
    ['nothing to change', 'anomaly', {}, /^body: must NOT have fewer than 1 properties/],
    [
      'a negative delay',
      'anomaly',
      { raiseAfterSeconds: -1 },
      /^body\.raiseAfterSeconds: must be >= 0/,
    ],
  ])('refuses %s with a 400 naming the field', async (_what, rule, body, message) => {
    const { name } = await target();
    const res = await api.call('PATCH', `/api/v1/targets/${name}/rules/${rule}`, {
      token: admin,
      json: body,
    });
    expect(res.status).toBe(400);
    expect(res.error?.message).toMatch(message);
  });

  it('is 404 for an unknown target and 403 for a viewer', async () => {
    const { name } = await target();
    const patch = (t: string, token: string) =>
      api.call('PATCH', `/api/v1/targets/${t}/rules/anomaly`, { token, json: { enabled: false } });
    expect((await patch(uniqueSerial('nope'), admin)).status).toBe(404);
    expect((await patch(name, viewer)).status).toBe(403);
  });
});

describe('alarms', () => {
  it('filters by state, severity, sensor and target, with history and action outcome', async () => {
    const { name, id: targetId } = await target();
    const serial = uniqueSerial('FLT');
    const sensorId = await createSensor(pool, serial, { targetId });
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO alarm (sensor_id, rule, severity, message, cleared_at, action, action_key,
                          action_status, action_reason, action_attempts)
       VALUES ($1, 'bearing-fault', 'major', 'bearing_outer_race: BPFO', NULL, 'reduce-speed',
               gen_random_uuid(), 'failed', 'UNAVAILABLE: down', 5),
              ($1, 'iso-zone-c', 'major', 'velocity 3 mm/s', now(), NULL, NULL, NULL, NULL, 0),
              ($1, 'anomaly', 'warning', 'score 4', NULL, NULL, NULL, NULL, NULL, 0)
       RETURNING id`,
      [sensorId],
    );
    const [bearing, iso, anomaly] = rows.map((r) => r.id);
    const list = async (query: string) =>
      (
        (await api.call('GET', `/api/v1/alarms?${query}`, { token: viewer })).body as {
          items: { id: string }[];
        }
      ).items.map((a) => a.id);
    expect(await list(`sensor=${serial}`)).toEqual([anomaly, bearing]);
    expect(await list(`sensor=${serial}&all=true`)).toEqual([anomaly, iso, bearing]);
    expect(await list(`target=${name}&state=cleared`)).toEqual([iso]);
    expect(await list(`target=${name}&severity=warning`)).toEqual([anomaly]);
    await api.call('POST', `/api/v1/alarms/${anomaly}/ack`, { token: admin });
    expect(await list(`sensor=${serial}&state=active`)).toEqual([bearing]);
    expect(await list(`sensor=${serial}&state=acknowledged`)).toEqual([anomaly]);

    const one = await api.call('GET', `/api/v1/alarms/${bearing}`, { token: viewer });
    expect(one.body).toMatchObject({
      serial,
      target: name,
      rule: 'bearing-fault',
      state: 'active',
      action: { type: 'reduce-speed', status: 'failed', reason: 'UNAVAILABLE: down', attempts: 5 },
    });
    const acked = await api.call('GET', `/api/v1/alarms/${anomaly}`, { token: viewer });
    expect((acked.body as { history: unknown[] }).history).toEqual([
      expect.objectContaining({
        transition: 'acknowledged',
        by: required(env, 'IOT_ADMIN_USERNAME'),
      }),
    ]);
    const bad = await api.call('GET', '/api/v1/alarms?state=open-ish', { token: viewer });
    expect(bad.status).toBe(400);
    expect(bad.error?.message).toMatch(/^querystring\.state: must be one of/);
  });
});

describe('fleet', () => {
  it('counts online, stale, offline and asleep sensors, with rhythm and lifespan', async () => {
    const { id: targetId } = await target();
    const make = async (prefix: string, seenAgoS: number | null, state = 'awake') => {
      const serial = uniqueSerial(prefix);
      const id = await createSensor(pool, serial, { targetId });
      await pool.query(
        `UPDATE sensor SET state = $2, registered_at = now() - interval '1 hour',
                last_seen = CASE WHEN $3::float8 IS NULL THEN NULL
                                 ELSE now() - make_interval(secs => $3) END
          WHERE id = $1`,
        [id, state, seenAgoS],
      );
      return { serial, id };
    };
    const online = await make('ON', 1);
    const stale = await make('STL', 30);
    const offline = await make('OFF', 900);
    const asleep = await make('SLP', 30, 'asleep');
    // Batches every 2 s; the stale one's last came 30 s ago (three intervals are 6 s).
    for (const [sensor, lastS] of [
      [online, 1],
      [stale, 30],
    ] as const) {
      await pool.query(
        `INSERT INTO sensor_measurement
           (sensor_id, start_time, end_time, sample_rate_hz, sequence, sample_count, samples)
         SELECT $1, now() - make_interval(secs => $2 + 2 * k + 1),
                now() - make_interval(secs => $2 + 2 * k), 10, 10 - k, 10, array_fill(0::real, ARRAY[10])
         FROM generate_series(0, 4) k`,
        [sensor.id, lastS],
      );
    }
    const fleet = (await api.call('GET', '/api/v1/fleet', { token: viewer })).body as {
      sensors: number;
      silentOverTenMinutesShare: number;
      items: {
        serial: string;
        connectivity: string;
        meanBatchIntervalSeconds: number | null;
        lifespanSeconds: number | null;
      }[];
    };
    const ours = (s: { serial: string }) => fleet.items.find((i) => i.serial === s.serial);
    expect(ours(online)).toMatchObject({ connectivity: 'online' });
    expect(ours(online)?.meanBatchIntervalSeconds).toBeCloseTo(2, 6);
    expect(ours(online)?.lifespanSeconds).toBeCloseTo(3599, -1);
    expect(ours(stale)).toMatchObject({ connectivity: 'stale' });
    expect(ours(offline)).toMatchObject({
      connectivity: 'offline',
      meanBatchIntervalSeconds: null,
    });
    // Asleep: no batches expected, so not stale; heard from (its heartbeat), so online.
    expect(ours(asleep)).toMatchObject({ connectivity: 'online' });
    expect(fleet.silentOverTenMinutesShare).toBeGreaterThan(0);
    expect(fleet.silentOverTenMinutesShare).toBeLessThanOrEqual(1);
  });
});

/** Opens GET /events and collects its events until `until` says enough. */
async function readEvents(
  token: string,
  query: string,
  until: (events: { type: string; data: unknown }[]) => boolean,
  onOpen: () => Promise<void>,
) {
  const res = await request(`${url}/api/v1/events?${query}`, {
    headers: { authorization: `Bearer ${token}` },
    dispatcher: api.dispatcher,
    bodyTimeout: 0,
  });
  expect(res.statusCode).toBe(200);
  const events: { type: string; data: unknown }[] = [];
  let buffer = '';
  await onOpen();
  for await (const chunk of res.body) {
    buffer += (chunk as Buffer).toString();
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const type = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (type && data) events.push({ type, data: JSON.parse(data) as unknown });
    }
    if (until(events)) break;
  }
  res.body.destroy();
  return events;
}

describe('live events', () => {
  it('streams a sensor’s features and its raised alarm from the real sensor-alarms', async () => {
    await rabbitAdmin().purgeQueue(QUEUES.featuresAlarms);
    const { id: targetId } = await target();
    const serial = uniqueSerial('LIVE');
    await createSensor(pool, serial, { targetId });
    services.push(await startService('sensor-alarms'));
    const { connection, publisher } = await openConnection('live-test');
    try {
      const events = await readEvents(
        viewer,
        `serial=${serial}`,
        (seen) => seen.some((e) => e.type === 'alarm'),
        () => publishOuterRace(publisher, serial),
      );
      expect(events.filter((e) => e.type === 'feature')).toHaveLength(3);
      expect(events.find((e) => e.type === 'alarm')?.data).toMatchObject({
        serial,
        rule: 'bearing-fault',
        state: 'active',
        diagnosis: 'bearing_outer_race',
      });
    } finally {
      await connection.close();
    }
  });

  it('limits the streams one account holds open', async () => {
    const limit = DEFAULT_STREAMS_PER_ACCOUNT;
    const opened = [];
    for (let i = 0; i < limit; i++) {
      opened.push(
        await request(`${url}/api/v1/events`, {
          headers: { authorization: `Bearer ${viewer}` },
          dispatcher: api.dispatcher,
          bodyTimeout: 0,
        }),
      );
    }
    expect(opened.map((r) => r.statusCode)).toEqual(opened.map(() => 200));
    const refused = await api.call('GET', '/api/v1/events', { token: viewer });
    expect(refused.status).toBe(429);
    expect(refused.error?.code).toBe('too_many_requests');
    for (const res of opened) res.body.destroy();
    // Closed streams are given back: the account may open one again.
    await expect
      .poll(async () => {
        const res = await request(`${url}/api/v1/events`, {
          headers: { authorization: `Bearer ${viewer}` },
          dispatcher: api.dispatcher,
          bodyTimeout: 0,
        });
        res.body.destroy();
        return res.statusCode;
      })
      .toBe(200);
  });
});

async function publishOuterRace(publisher: Publisher, serial: string) {
  const t0 = (Date.now() - 60_000) * 1000;
  for (let k = 0; k < 3; k++) {
    const event = {
      serial,
      windowStartUs: t0 + k * 1_000_000,
      windowEndUs: t0 + (k + 1) * 1_000_000,
      sampleRateHz: 6400,
      accelerationRmsG: 0.3,
      accelerationPeakG: 1.5,
      crestFactor: 5,
      kurtosis: 6,
      velocityRmsMmS: 1.5,
      isoClass: null,
      isoZone: null,
      dominantHz: 88.6,
      diagnosis: 'bearing_outer_race',
      diagnosisEvidence: 'BPFO 88.6 Hz stands 12× over its neighbourhood',
      anomalyScore: null,
      baselineStatus: 'learning',
      publishedAtMs: Date.now(),
      analysedAtMs: Date.now(),
      bpfoStrength: 12,
      bpfiStrength: 1,
      bsfStrength: 1,
      ftfStrength: 1,
    };
    await publisher.publish(
      EXCHANGE,
      derivedKey(serial, 'features'),
      featureEventCodec.encode(event),
    );
  }
}
