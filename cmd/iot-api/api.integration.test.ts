// iot-api in-process on port 0 over real TLS, against the local stack's broker and database.
// A queue bound to a sensor's command key stands in for the device's MQTT subscription queue;
// acks and announcements are published as the MQTT plugin would deliver them.
import type { Channel, ChannelModel } from 'amqplib';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, issueToken } from '../../internal/auth/index.js';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  COMMANDS_KIND,
  EXCHANGE,
  QUEUES,
  commandAckCodec,
  commandCodec,
  deviceKey,
  registrationCodec,
  type Command,
} from '../../internal/routing/index.js';
import { openConnection, rabbitAdmin, rawChannel, required } from '../../utils/test/brokers.js';
import { count, createSensor, testPool, uniqueSerial } from '../../utils/test/database.js';
import { startService } from '../../utils/test/processes.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import type { ApiService } from './service.js';
import { TestApi, startTestApiService } from './test-support.js';

const env = stackEnv();
let service: ApiService;
let api: TestApi;
let pool: pg.Pool;
let amqp: { connection: AmqpConnection; publisher: Publisher };
let raw: { model: ChannelModel; channel: Channel };
let admin: string;
let viewer: string;
let stranger: string;

interface CommandJson {
  id: string;
  status: string;
  reason: string | null;
  issuedBy: string | null;
  type: string;
  history: { status: string }[];
}

beforeAll(async () => {
  let url: string;
  ({ service, url } = await startTestApiService());
  api = new TestApi(url);
  pool = testPool();
  amqp = await openConnection('iot-api-test');
  raw = await rawChannel();
  admin = await api.login(required(env, 'IOT_ADMIN_USERNAME'), required(env, 'IOT_ADMIN_PASSWORD'));

  const viewerName = uniqueSerial('viewer').toLowerCase();
  const created = await api.call('POST', '/api/v1/accounts', {
    token: admin,
    json: { username: viewerName, password: 'viewer-password-1', role: 'viewer' },
  });
  expect(created.status).toBe(201);
  viewer = await api.login(viewerName, 'viewer-password-1');

  // Another organization, with its own admin: it must not see the default organization.
  const org = uniqueSerial('org');
  const { rows } = await pool.query<{ id: string }>(
    'INSERT INTO organization (name) VALUES ($1) RETURNING id',
    [org],
  );
  const strangerName = org.toLowerCase();
  await pool.query(
    `INSERT INTO account (organization_id, username, password_hash, role) VALUES ($1, $2, $3, 'admin')`,
    [rows[0]!.id, strangerName, await hashPassword('stranger-password')],
  );
  stranger = await api.login(strangerName, 'stranger-password', org);
});

afterAll(async () => {
  // The announcements published here were meant for iot-api alone; the registry's copies
  // would otherwise bring these test sensors 'online' when a registry next starts.
  await rabbitAdmin().purgeQueue(QUEUES.registry);
  await service?.close();
  await api?.close();
  await pool?.end();
  await amqp?.connection.close();
  await raw?.model.close();
});

/** A sensor with a queue standing in for its MQTT command subscription. */
async function sensorWithQueue(hz = 1000) {
  const serial = uniqueSerial('API');
  await createSensor(pool, serial, { hz });
  const { queue } = await raw.channel.assertQueue('', { exclusive: true });
  await raw.channel.bindQueue(queue, EXCHANGE, deviceKey(serial, COMMANDS_KIND));
  return { serial, queue };
}

async function commandsIn(queue: string): Promise<Command[]> {
  const found: Command[] = [];
  for (;;) {
    const message = await raw.channel.get(queue, { noAck: true });
    if (!message) return found;
    found.push(commandCodec.decode(message.content));
  }
}

const sendCommand = (serial: string, json: unknown, token: string | undefined = admin) =>
  api.call('POST', `/api/v1/sensors/${serial}/commands`, { token, json });

const publishAck = (
  serial: string,
  commandId: string,
  outcome: 'applied' | 'rejected' | 'expired',
  reason = '',
  atMs = Date.now(),
) =>
  amqp.publisher.publish(
    EXCHANGE,
    deviceKey(serial, 'acks'),
    commandAckCodec.encode({ serial, commandId, outcome, reason, atMs }),
  );

const announce = (serial: string, state: 'awake' | 'asleep', hz: number) =>
  amqp.publisher.publish(
    EXCHANGE,
    deviceKey(serial, 'registry'),
    registrationCodec.encode({
      serial,
      sampleFrequencyHz: hz,
      firmwareVersion: 'test',
      mount: 'fixed',
      bootedAtMs: Date.now(),
      reportedAtMs: Date.now(),
      state,
    }),
  );

/** Follows the command's event stream to its final status (the stream ends there). */
async function finalState(id: string): Promise<CommandJson> {
  const events = (await api.events(`/api/v1/commands/${id}/events`, admin)) as CommandJson[];
  return events.at(-1)!;
}

describe('operations', () => {
  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await api.call('GET', '/healthz')).status).toBe(200);
    expect((await api.call('GET', '/readyz')).body).toMatchObject({ ready: true });
    const openapi = await api.call('GET', '/api/v1/openapi.json');
    expect(openapi.status).toBe(200);
    const paths = Object.keys((openapi.body as { paths: object }).paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/v1/sensors/{serial}/commands', '/api/v1/commands/{id}/events']),
    );
  });
});

describe('commands', () => {
  it('sends a command, and the sensor ack moves it to applied', async () => {
    const { serial, queue } = await sensorWithQueue();
    const res = await sendCommand(serial, { type: 'sleep' });
    expect(res.status).toBe(202);
    const command = res.body as CommandJson;
    expect(command.status).toBe('sent');
    const [delivered] = await commandsIn(queue);
    expect(delivered).toMatchObject({ id: command.id, action: { type: 'sleep' } });
    expect(delivered!.expiresAtMs - delivered!.issuedAtMs).toBe(300_000);

    await publishAck(serial, command.id, 'applied');
    const final = await finalState(command.id);
    expect(final.status).toBe('applied');
    expect(final.history.map((h) => h.status)).toEqual(['queued', 'sent', 'applied']);
    const sensor = await api.call('GET', `/api/v1/sensors/${serial}`, { token: viewer });
    expect(sensor.body).toMatchObject({ state: 'asleep', desiredState: 'asleep' });
  });

  it('an ack older than the stored report records the command but keeps the newer setting', async () => {
    // The device announced itself running 1000 Hz after it applied 500 Hz; the announcement
    // was stored first (sensor-registry's queue was quicker than iot-api's acks).
    const { serial } = await sensorWithQueue(1000);
    const command = (
      await sendCommand(serial, { type: 'set_sample_frequency', sampleFrequencyHz: 500 })
    ).body as CommandJson;
    const announcedAt = Date.now();
    await pool.query('UPDATE sensor SET reported_at = $2 WHERE serial_number = $1', [
      serial,
      new Date(announcedAt),
    ]);
    await publishAck(serial, command.id, 'applied', '', announcedAt - 1_000);
    expect((await finalState(command.id)).status).toBe('applied');
    const { rows } = await pool.query<{ sample_frequency: number }>(
      'SELECT sample_frequency FROM sensor WHERE serial_number = $1',
      [serial],
    );
    expect(rows).toEqual([{ sample_frequency: 1000 }]);
  });

  it('records a rejection with its reason and restores the desired rate', async () => {
    const { serial } = await sensorWithQueue(1000);
    const first = (
      await sendCommand(serial, { type: 'set_sample_frequency', sampleFrequencyHz: 500 })
    ).body as CommandJson;
    await publishAck(serial, first.id, 'applied');
    expect((await finalState(first.id)).status).toBe('applied');
    const second = (
      await sendCommand(serial, { type: 'set_sample_frequency', sampleFrequencyHz: 333.3 })
    ).body as CommandJson;
    await publishAck(serial, second.id, 'rejected', '333.3 Hz gives no whole number of samples');
    const final = await finalState(second.id);
    expect(final).toMatchObject({
      status: 'rejected',
      reason: '333.3 Hz gives no whole number of samples',
    });
    const sensor = await api.call('GET', `/api/v1/sensors/${serial}`, { token: admin });
    expect(sensor.body).toMatchObject({ sampleFrequencyHz: 500, desiredSampleFrequencyHz: 500 });
  });

  it('expires a command nobody acknowledges, and ignores a late ack', async () => {
    const { serial } = await sensorWithQueue();
    const command = (await sendCommand(serial, { type: 'awake', expiresInSeconds: 1 }))
      .body as CommandJson;
    const final = await finalState(command.id);
    expect(final.status).toBe('expired');
    expect(final.reason).toMatch(/no acknowledgement/);
    await publishAck(serial, command.id, 'applied');
    await publishAck(serial, command.id, 'applied');
    const again = await api.call('GET', `/api/v1/commands/${command.id}`, { token: admin });
    expect(again.body).toMatchObject({ status: 'expired' });
  });

  it('keeps a command for a sensor without a queue and sends it when the sensor announces itself', async () => {
    const serial = uniqueSerial('API');
    await createSensor(pool, serial);
    const command = (await sendCommand(serial, { type: 'sleep' })).body as CommandJson;
    expect(command.status).toBe('queued');

    const { queue } = await raw.channel.assertQueue('', { exclusive: true });
    await raw.channel.bindQueue(queue, EXCHANGE, deviceKey(serial, COMMANDS_KIND));
    await announce(serial, 'awake', 1000);
    const stream = api.events(`/api/v1/commands/${command.id}/events`, admin);
    let delivered: Command[] = [];
    while (delivered.length === 0) delivered = await commandsIn(queue);
    expect(delivered.map((c) => c.id)).toEqual([command.id]);
    await publishAck(serial, command.id, 'applied');
    const statuses = ((await stream) as CommandJson[]).map((c) => c.status);
    expect(statuses.at(-1)).toBe('applied');
    expect(
      (
        (await api.call('GET', `/api/v1/commands/${command.id}`, { token: admin }))
          .body as CommandJson
      ).history.map((h) => h.status),
    ).toEqual(['queued', 'sent', 'applied']);
  });

  it('asks again when a sensor comes back running otherwise than asked', async () => {
    const { serial, queue } = await sensorWithQueue(1000);
    const sleep = (await sendCommand(serial, { type: 'sleep' })).body as CommandJson;
    const rate = (
      await sendCommand(serial, { type: 'set_sample_frequency', sampleFrequencyHz: 200 })
    ).body as CommandJson;
    await publishAck(serial, sleep.id, 'applied');
    await publishAck(serial, rate.id, 'applied');
    await finalState(sleep.id);
    await finalState(rate.id);
    await commandsIn(queue);

    // It rebooted: awake at its factory rate.
    await announce(serial, 'awake', 1000);
    const reissued: Command[] = [];
    while (reissued.length < 2) reissued.push(...(await commandsIn(queue)));
    expect(reissued.map((c) => c.action).sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'set_sample_frequency', hz: 200 },
      { type: 'sleep' },
    ]);
    const listed = await api.call('GET', `/api/v1/sensors/${serial}/commands`, { token: viewer });
    const items = (listed.body as { items: CommandJson[] }).items;
    expect(items).toHaveLength(4);
    expect(items.filter((c) => c.issuedBy === null)).toHaveLength(2);

    // More announcements while those are in flight do not pile up more commands. Then, with
    // the sleep applied, a reboot asks for it once more; announcements of one sensor are
    // handled in order, so when that one has arrived the earlier ones were handled too.
    await announce(serial, 'awake', 1000);
    await announce(serial, 'asleep', 200);
    const reissuedSleep = reissued.find((c) => c.action.type === 'sleep')!;
    await publishAck(serial, reissuedSleep.id, 'applied');
    await finalState(reissuedSleep.id);
    await announce(serial, 'awake', 1000);
    let marker: Command[] = [];
    while (marker.length === 0) marker = await commandsIn(queue);
    expect(marker.map((c) => c.action)).toEqual([{ type: 'sleep' }]);
    expect(
      await count(
        pool,
        'SELECT count(*) AS n FROM sensor_command c JOIN sensor s ON s.id = c.sensor_id WHERE s.serial_number = $1',
        [serial],
      ),
    ).toBe(5);
  });
});

describe('authorization', () => {
  it('refuses without a valid token, and publishes nothing', async () => {
    const { serial, queue } = await sensorWithQueue();
    const secret = required(env, 'IOT_JWT_SECRET');
    const { rows } = await pool.query<{ id: string }>(
      'SELECT id FROM account WHERE username = $1',
      [required(env, 'IOT_ADMIN_USERNAME')],
    );
    const expired = issueToken(
      secret,
      { accountId: rows[0]!.id, username: 'admin' },
      60_000,
      Date.now() - 120_000,
    ).token;
    const [h, p, s] = admin.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = [
      h,
      Buffer.from(JSON.stringify({ ...claims, sub: '999999' })).toString('base64url'),
      s,
    ].join('.');

    const cases: [string | undefined, number, RegExp][] = [
      [undefined, 401, /Authorization: Bearer/],
      [expired, 401, /token expired/],
      [tampered, 401, /invalid token/],
      ['iot_000000000000.' + 'x'.repeat(43), 401, /API key/],
      [viewer, 403, /operator role/],
      [stranger, 404, /sensor .* not found/],
    ];
    for (const [token, status, message] of cases) {
      const res = await api.call('POST', `/api/v1/sensors/${serial}/commands`, {
        token,
        json: { type: 'sleep' },
      });
      expect({ token: token?.slice(0, 12), status: res.status }).toEqual({
        token: token?.slice(0, 12),
        status,
      });
      expect(res.error?.message).toMatch(message);
    }
    expect(await commandsIn(queue)).toEqual([]);
    expect(
      await count(
        pool,
        'SELECT count(*) AS n FROM sensor_command c JOIN sensor s ON s.id = c.sensor_id WHERE s.serial_number = $1',
        [serial],
      ),
    ).toBe(0);
  });

  it("hides another organization's sensors and commands", async () => {
    const { serial } = await sensorWithQueue();
    const command = (await sendCommand(serial, { type: 'sleep' })).body as CommandJson;
    expect((await api.call('GET', `/api/v1/sensors/${serial}`, { token: stranger })).status).toBe(
      404,
    );
    expect(
      (await api.call('GET', `/api/v1/commands/${command.id}`, { token: stranger })).status,
    ).toBe(404);
    const list = await api.call('GET', '/api/v1/sensors', { token: stranger });
    expect((list.body as { items: { serial: string }[] }).items.map((s) => s.serial)).not.toContain(
      serial,
    );
    const mine = await api.call('GET', '/api/v1/sensors', { token: viewer });
    expect((mine.body as { items: { serial: string }[] }).items.map((s) => s.serial)).toContain(
      serial,
    );
  });

  it('API keys work until revoked, and cannot outrank their creator', async () => {
    const created = await api.call('POST', '/api/v1/api-keys', {
      token: admin,
      json: { name: 'grafana', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const { key, id } = created.body as { key: string; id: string };
    expect((await api.call('GET', '/api/v1/me', { token: key })).body).toMatchObject({
      via: 'api_key',
      role: 'viewer',
    });
    const listed = await api.call('GET', '/api/v1/api-keys', { token: admin });
    expect(JSON.stringify(listed.body)).not.toContain(key.split('.')[1]);
    expect((await api.call('DELETE', `/api/v1/api-keys/${id}`, { token: admin })).status).toBe(204);
    expect((await api.call('GET', '/api/v1/me', { token: key })).status).toBe(401);
    expect(
      (
        await api.call('POST', '/api/v1/api-keys', {
          token: viewer,
          json: { name: 'x', role: 'admin' },
        })
      ).status,
    ).toBe(403);
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    const wrong = await api.call('POST', '/api/v1/auth/login', {
      json: { username: 'admin', password: 'nope' },
    });
    const unknown = await api.call('POST', '/api/v1/auth/login', {
      json: { username: 'nobody-here', password: 'nope' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.error).toEqual(wrong.error);
  });
});

describe('bad input', () => {
  it.each([
    ['malformed JSON', { raw: '{"type": "sleep"' }, 400, /malformed JSON/],
    ['an unknown field', { json: { type: 'sleep', force: true } }, 400, /unknown field "force"/],
    [
      'a frequency out of bounds',
      { json: { type: 'set_sample_frequency', sampleFrequencyHz: 30000 } },
      400,
      /sampleFrequencyHz.*25600/,
    ],
    [
      'a missing frequency',
      { json: { type: 'set_sample_frequency' } },
      400,
      /sampleFrequencyHz: is required/,
    ],
    ['an unknown command', { json: { type: 'reboot' } }, 400, /body.type: must be one of/],
    [
      'an oversized body',
      { raw: JSON.stringify({ type: 'sleep', pad: 'x'.repeat(70_000) }) },
      413,
      /larger than the limit/,
    ],
  ])('%s → %i naming the problem, nothing sent', async (_name, body, status, message) => {
    const { serial, queue } = await sensorWithQueue();
    const res = await api.call('POST', `/api/v1/sensors/${serial}/commands`, {
      token: admin,
      ...body,
    });
    expect(res.status).toBe(status);
    expect(res.error?.message).toMatch(message);
    expect(await commandsIn(queue)).toEqual([]);
  });

  it('names an invalid serial', async () => {
    const res = await sendCommand('bad_serial!', { type: 'sleep' });
    expect(res.status).toBe(400);
    expect(res.error?.message).toMatch(/serial: "bad_serial!" is not a serial number/);
  });
});

describe('targets, sensors, alarms', () => {
  it('creates, assigns, lists and deletes targets', async () => {
    const serial = uniqueSerial('API');
    await createSensor(pool, serial);
    const name = uniqueSerial('press');
    expect(
      (await api.call('POST', '/api/v1/targets', { token: admin, json: { name } })).status,
    ).toBe(201);
    expect(
      (await api.call('POST', '/api/v1/targets', { token: admin, json: { name } })).status,
    ).toBe(409);
    const assigned = await api.call('PUT', `/api/v1/sensors/${serial}/target`, {
      token: admin,
      json: { target: name },
    });
    expect(assigned.body).toMatchObject({ target: name });
    const targets = (await api.call('GET', '/api/v1/targets', { token: viewer })).body as {
      items: { name: string; sensors: string[] }[];
    };
    expect(targets.items.find((t) => t.name === name)?.sensors).toEqual([serial]);
    expect((await api.call('DELETE', `/api/v1/targets/${name}`, { token: admin })).status).toBe(
      204,
    );
    expect(
      (await api.call('GET', `/api/v1/sensors/${serial}`, { token: admin })).body,
    ).toMatchObject({ target: null });
  });

  it('deletes a sensor with its data (admin only)', async () => {
    const serial = uniqueSerial('API');
    const id = await createSensor(pool, serial);
    await pool.query(
      `INSERT INTO sensor_measurement
         (sensor_id, start_time, end_time, sample_rate_hz, sequence, sample_count, samples)
       SELECT $1, now() - interval '2 s' + k * interval '100 ms',
              now() - interval '2 s' + (k + 1) * interval '100 ms', 500, k + 1, 50,
              array_fill(0.5::real, ARRAY[50])
       FROM generate_series(0, 1) k`,
      [id],
    );
    await pool.query(
      `INSERT INTO sensor_log (time, sensor_id, level, message) VALUES (now(), $1, 'info', 'hello')`,
      [id],
    );
    await pool.query(
      `INSERT INTO sensor_feature (sensor_id, window_start, window_end, sample_rate_hz,
         sample_count, acceleration_rms_g, acceleration_peak_g, crest_factor, kurtosis,
         dominant_hz, dominant_amplitude_g, baseline_status, feature_vector)
       VALUES ($1, now() - interval '2 s', now() - interval '1 s', 500, 500, 0.5, 0.7, 1.4, 1.5,
         50, 0.7, 'learning', '{}')`,
      [id],
    );
    await pool.query(
      `INSERT INTO sensor_baseline (sensor_id, baseline) VALUES ($1, '{}');
       INSERT INTO sensor_spectrum (sensor_id, window_start, window_end, sample_rate_hz,
         spectrum_step_hz, spectrum) VALUES ($1, now() - interval '2 s', now(), 500, 1, '{0.1}')`.replaceAll(
        '$1',
        String(id),
      ),
    );
    const logs = await api.call('GET', `/api/v1/sensors/${serial}/logs`, { token: viewer });
    expect(logs.body).toMatchObject({ items: [{ level: 'info', message: 'hello' }] });
    expect(
      (await api.call('GET', `/api/v1/sensors/${serial}`, { token: viewer })).body,
    ).toMatchObject({ samplesLastMinute: 100 });
    expect((await api.call('DELETE', `/api/v1/sensors/${serial}`, { token: viewer })).status).toBe(
      403,
    );
    expect((await api.call('DELETE', `/api/v1/sensors/${serial}`, { token: admin })).status).toBe(
      204,
    );
    expect(
      await count(pool, 'SELECT count(*) AS n FROM sensor_measurement WHERE sensor_id = $1', [id]),
    ).toBe(0);
    for (const table of ['sensor_log', 'sensor_feature', 'sensor_baseline', 'sensor_spectrum']) {
      expect(
        await count(pool, `SELECT count(*) AS n FROM ${table} WHERE sensor_id = $1`, [id]),
        table,
      ).toBe(0);
    }
    expect((await api.call('GET', `/api/v1/sensors/${serial}`, { token: admin })).status).toBe(404);
  });

  it('lists open alarms and acknowledges one', async () => {
    const serial = uniqueSerial('API');
    const id = await createSensor(pool, serial);
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO alarm (sensor_id, rule, severity, message) VALUES ($1, 'anomaly', 'warning', 'score 4.2') RETURNING id`,
      [id],
    );
    const alarmId = rows[0]!.id;
    const open = (await api.call('GET', '/api/v1/alarms', { token: viewer })).body as {
      items: { id: string }[];
    };
    expect(open.items.map((a) => a.id)).toContain(alarmId);
    expect(
      (await api.call('POST', `/api/v1/alarms/${alarmId}/ack`, { token: viewer })).status,
    ).toBe(403);
    expect(
      (await api.call('POST', `/api/v1/alarms/${alarmId}/ack`, { token: stranger })).status,
    ).toBe(404);
    const acked = await api.call('POST', `/api/v1/alarms/${alarmId}/ack`, { token: admin });
    expect(acked.body).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: required(env, 'IOT_ADMIN_USERNAME'),
    });
    // Acknowledged is still open, no longer active.
    const active = (await api.call('GET', '/api/v1/alarms?state=active', { token: viewer }))
      .body as { items: { id: string }[] };
    expect(active.items.map((a) => a.id)).not.toContain(alarmId);
  });
});

describe('the real process', () => {
  it('drains and exits 0 on SIGTERM', async () => {
    const server = await startService('iot-api', { https: true });
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});
