// iotctl against the real iot-api: cmd/iot-api/main.ts started as a process on a free port
// over real TLS (the local stack's CA, database and broker), driven through runCli with the
// real HTTP client and a temp config dir, plus the real `bin.js` process for what only a
// process shows (tsx, exit codes).
// A queue bound to the sensor's command key stands in for the device; its acks are published
// as the MQTT plugin would deliver them.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import type { Channel, ChannelModel } from 'amqplib';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfigPath, readConfig, writeContext } from '../../internal/iotctl-config/index.js';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  COMMANDS_KIND,
  EXCHANGE,
  commandAckCodec,
  commandCodec,
  deviceKey,
} from '../../internal/routing/index.js';
import { openConnection, rawChannel, required } from '../../utils/test/brokers.js';
import { createSensor, testPool, uniqueSerial } from '../../utils/test/database.js';
import { repoRoot, stackEnv } from '../../utils/test/stack-env.js';
import { startService, type ServiceProcess } from '../../utils/test/processes.js';
import { HttpApiClient } from './api-client.js';
import type { Command, Sensor } from './api-types.js';
import { runCli } from './program.js';
import { capture } from './test-support.js';

const env = stackEnv();
let service: ServiceProcess;
let api: string;
let pool: pg.Pool;
let amqp: { connection: AmqpConnection; publisher: Publisher };
let raw: { model: ChannelModel; channel: Channel };
let home: string;
let configPath: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One iotctl run in this process: real client, real config file, our own streams. */
async function iotctl(
  argv: string[],
  options: { stdin?: string; env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Run> {
  const stdout = capture();
  const stderr = capture();
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const code = await runCli(argv, {
    stdout,
    stderr,
    stdin,
    env: { XDG_CONFIG_HOME: home, HOME: home, ...options.env },
    now: () => new Date(),
    signal: options.signal ?? new AbortController().signal,
    connect: (o) => new HttpApiClient(o),
    pollIntervalMs: 100,
    version: 'integration',
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

beforeAll(async () => {
  service = await startService('iot-api', { https: true });
  api = `https://localhost:${service.httpPort}`;
  pool = testPool();
  amqp = await openConnection('iotctl-test');
  raw = await rawChannel();

  // What the local stack does on start: point a context at the API with its CA.
  home = mkdtempSync(join(tmpdir(), 'iotctl-it-'));
  configPath = defaultConfigPath({ XDG_CONFIG_HOME: home });
  await writeContext(
    configPath,
    'it',
    { api, ca: readFileSync(required(env, 'IOT_TLS_CA_FILE'), 'utf8') },
    { makeCurrent: true },
  );
  const login = await iotctl(['login', required(env, 'IOT_ADMIN_USERNAME'), '--password-stdin'], {
    stdin: `${required(env, 'IOT_ADMIN_PASSWORD')}\n`,
  });
  expect(login).toMatchObject({ code: 0, stderr: '' });
});

afterAll(async () => {
  await service?.stop();
  await pool?.end();
  await amqp?.connection.close();
  await raw?.model.close();
});

/** A sensor with a queue standing in for its MQTT command subscription. */
async function sensorWithQueue() {
  const serial = uniqueSerial('CTL');
  await createSensor(pool, serial, { hz: 1000 });
  const { queue } = await raw.channel.assertQueue('', { exclusive: true });
  await raw.channel.bindQueue(queue, EXCHANGE, deviceKey(serial, COMMANDS_KIND));
  return { serial, queue };
}

/** The device's side: wait for the next command, answer it. */
async function answerNext(
  serial: string,
  queue: string,
  outcome: 'applied' | 'rejected',
  reason = '',
): Promise<void> {
  for (;;) {
    const message = await raw.channel.get(queue, { noAck: true });
    if (message) {
      const command = commandCodec.decode(message.content);
      await amqp.publisher.publish(
        EXCHANGE,
        deviceKey(serial, 'acks'),
        commandAckCodec.encode({
          serial,
          commandId: command.id,
          outcome,
          reason,
          atMs: Date.now(),
        }),
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('login and the config file', () => {
  it('stored the token and username in the context, in a 0600 file', async () => {
    const config = await readConfig(configPath);
    expect(config.currentContext).toBe('it');
    expect(config.contexts.it).toMatchObject({
      api,
      username: required(env, 'IOT_ADMIN_USERNAME'),
      token: expect.any(String) as unknown,
    });
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
  });

  it('a wrong password is the API’s 401 message, exit 1, and the stored token stays', async () => {
    const before = await readConfig(configPath);
    const run = await iotctl(['login', required(env, 'IOT_ADMIN_USERNAME'), '--password-stdin'], {
      stdin: 'not the password\n',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: [^;\n]+\n$/); // no "run iotctl login" hint here
    expect(await readConfig(configPath)).toEqual(before);
  });

  it('a bad token gets the API’s message and the hint to log in', async () => {
    const run = await iotctl(['get', 'sensors'], {
      env: { IOT_API_TOKEN: 'iot_000000000000.' + 'x'.repeat(43) },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .+; check IOT_API_TOKEN\n$/);
  });
});

describe('reading', () => {
  it('get sensors: the table, and -o json exactly the API’s objects', async () => {
    const { serial } = await sensorWithQueue();
    const table = await iotctl(['get', 'sensors']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^SERIAL +STATE +HZ +PENDING +TARGET +CONNECTIVITY +LAST SEEN/);
    expect(table.stdout).toMatch(
      new RegExp(`^${serial} +awake +1000 +— +— +offline +— +0 +—$`, 'm'),
    );

    const list = await iotctl(['get', 'sensors', '-o', 'json']);
    const sensors = JSON.parse(list.stdout) as Sensor[];
    const one = JSON.parse(
      (await iotctl(['get', 'sensor', serial, '-o', 'json'])).stdout,
    ) as Sensor;
    expect(sensors.find((s) => s.serial === serial)).toEqual(one);
    expect(Object.keys(one).sort()).toEqual(
      [
        'connectivity',
        'desiredSampleFrequencyHz',
        'desiredState',
        'firmwareVersion',
        'lastSeen',
        'registeredAt',
        'samplesLastMinute',
        'sampleFrequencyHz',
        'serial',
        'state',
        'target',
      ].sort(),
    );
  });

  it('a sensor that does not exist is the API’s 404 message', async () => {
    const run = await iotctl(['get', 'sensor', 'NOPE-404404']);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'error: sensor NOPE-404404 not found\n' });
  });

  it('logs, and logs -f until Ctrl-C (exit 0)', async () => {
    const { serial } = await sensorWithQueue();
    const id = (
      await pool.query<{ id: string }>('SELECT id FROM sensor WHERE serial_number = $1', [serial])
    ).rows[0]!.id;
    const log = (message: string) =>
      pool.query(
        `INSERT INTO sensor_log (time, sensor_id, level, message, fields) VALUES (now(), $1, 'info', $2, '{"k":"v"}')`,
        [id, message],
      );
    await log('booted');
    const once = await iotctl(['logs', serial]);
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(/^\S+Z {2}INFO {3}booted {2}k=v\n$/);

    const interrupt = new AbortController();
    const following = iotctl(['logs', serial, '-f', '-o', 'json'], { signal: interrupt.signal });
    await new Promise((r) => setTimeout(r, 300));
    await log('measuring');
    await new Promise((r) => setTimeout(r, 500));
    interrupt.abort();
    const run = await following;
    expect(run.code).toBe(0);
    expect(
      run.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { message: string }).message),
    ).toEqual(['booted', 'measuring']);
  });

  it('alarms: list, ack, gone from the active list; rules shown and set', async () => {
    const { serial } = await sensorWithQueue();
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO alarm (sensor_id, rule, severity, message)
       VALUES ((SELECT id FROM sensor WHERE serial_number = $1), 'anomaly', 'warning', 'score 4.2')
       RETURNING id`,
      [serial],
    );
    const alarmId = rows[0]!.id;
    expect((await iotctl(['get', 'alarms', '--sensor', serial])).stdout).toMatch(
      new RegExp(
        `^${alarmId} +${serial} +warning +anomaly +active +\\d+s +— +— +score 4\\.2$`,
        'm',
      ),
    );
    const ack = await iotctl(['alarms', 'ack', alarmId]);
    expect(ack).toMatchObject({ code: 0, stdout: `alarm ${alarmId} acknowledged by admin\n` });
    const active = JSON.parse(
      (await iotctl(['alarms', '--state', 'active', '-o', 'json'])).stdout,
    ) as {
      id: string;
    }[];
    expect(active.map((a) => a.id)).not.toContain(alarmId);
    const shown = await iotctl(['alarms', 'show', alarmId]);
    expect(shown.stdout).toMatch(/^HISTORY +acknowledged \d+s ago by admin$/m);
  });
});

describe('commands to a sensor', () => {
  it('sleep without --wait prints the id and status', async () => {
    const { serial } = await sensorWithQueue();
    const run = await iotctl(['sleep', serial]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^command [0-9a-f-]{36} sent\n$/);
  });

  it('sleep --wait follows the events to applied (exit 0)', async () => {
    const { serial, queue } = await sensorWithQueue();
    const waiting = iotctl(['sleep', serial, '--wait', '--timeout', '30s']);
    await answerNext(serial, queue, 'applied');
    const run = await waiting;
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(
      run.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[2]),
    ).toEqual(['queued', 'sent', 'applied']);
    const sensor = JSON.parse(
      (await iotctl(['get', 'sensor', serial, '-o', 'json'])).stdout,
    ) as Sensor;
    expect(sensor).toMatchObject({ state: 'asleep' });
  });

  it('set-frequency --wait: a rejection prints the reason (exit 1)', async () => {
    const { serial, queue } = await sensorWithQueue();
    const waiting = iotctl(['changesamplefrequency', serial, '333.3', '--wait', '-o', 'json']);
    await answerNext(serial, queue, 'rejected', '333.3 Hz gives no whole number of samples');
    const run = await waiting;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error: ${serial} rejected command [0-9a-f-]{36}: 333\\.3 Hz gives no whole number of samples\\n$`,
      ),
    );
    expect(JSON.parse(run.stdout)).toMatchObject({
      type: 'set_sample_frequency',
      sampleFrequencyHz: 333.3,
      status: 'rejected',
    });
  });

  it('awake --wait --expires-in 1s: nobody answers, it expires (exit 1)', async () => {
    const { serial } = await sensorWithQueue();
    const run = await iotctl(['awake', serial, '--wait', '--expires-in', '1s', '--timeout', '60s']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^error: command [0-9a-f-]{36} expired before ${serial} applied it\\n$`),
    );
  });

  it('--wait --timeout gives up (exit 1) and says where the command is', async () => {
    const { serial } = await sensorWithQueue();
    const run = await iotctl(['sleep', serial, '--wait', '--timeout', '1s']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: gave up after 1s: command ([0-9a-f-]{36}) is still sent; see 'iotctl get command \1'\n$/,
    );
    const id = /command ([0-9a-f-]{36})/.exec(run.stderr)![1]!;
    const shown = JSON.parse(
      (await iotctl(['get', 'command', id, '-o', 'json'])).stdout,
    ) as Command;
    expect(shown).toMatchObject({ id, serial, status: 'sent' });
    const listed = await iotctl(['get', 'commands', serial]);
    expect(listed.stdout).toMatch(new RegExp(`^${id} +sleep +— +sent +— +\\d+s +admin$`, 'm'));
  });
});

describe('targets, assignment, deletion, API keys', () => {
  it('create, assign, show, unassign, delete a target; a duplicate is the API’s 409', async () => {
    const { serial } = await sensorWithQueue();
    const name = uniqueSerial('press').toLowerCase();
    expect(await iotctl(['create', 'target', name, '--kind', 'fixed'])).toMatchObject({
      code: 0,
      stdout: `target ${name} created (fixed)\n`,
    });
    const again = await iotctl(['create', 'target', name]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .*exists.*\n$/);

    expect((await iotctl(['assign', serial, name])).stdout).toBe(
      `sensor ${serial} assigned to ${name}\n`,
    );
    expect(JSON.parse((await iotctl(['get', 'target', name, '-o', 'json'])).stdout)).toMatchObject({
      name,
      kind: 'fixed',
      sensors: [serial],
    });
    expect((await iotctl(['unassign', serial])).stdout).toBe(`sensor ${serial} unassigned\n`);
    expect((await iotctl(['delete', 'target', name])).stdout).toBe(`target ${name} deleted\n`);
    expect((await iotctl(['get', 'target', name])).code).toBe(1);
  });

  it('delete sensor --yes removes it', async () => {
    const { serial } = await sensorWithQueue();
    expect((await iotctl(['delete', 'sensor', serial, '--yes'])).stdout).toBe(
      `sensor ${serial} deleted\n`,
    );
    expect((await iotctl(['get', 'sensor', serial])).code).toBe(1);
  });

  it('an API key made by create apikey works as IOT_API_TOKEN until deleted', async () => {
    const created = await iotctl(['create', 'apikey', uniqueSerial('ci'), '--role', 'viewer']);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^iot_/);
    const id = /id (\S+),/.exec(created.stderr)![1]!;
    expect((await iotctl(['get', 'sensors'], { env: { IOT_API_TOKEN: key } })).code).toBe(0);
    expect((await iotctl(['get', 'apikeys'])).stdout).toMatch(new RegExp(`^${id} +ci-`, 'm'));
    expect((await iotctl(['delete', 'apikey', id])).code).toBe(0);
    const revoked = await iotctl(['get', 'sensors'], { env: { IOT_API_TOKEN: key } });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(/; check IOT_API_TOKEN\n$/);
  });
});

describe('accounts', () => {
  it('create account --password-stdin, then it is listed and can log in', async () => {
    const username = uniqueSerial('op').toLowerCase();
    const created = await iotctl(
      ['create', 'account', username, '--role', 'operator', '--password-stdin'],
      {
        stdin: 'a long enough password\n',
      },
    );
    expect(created).toMatchObject({ code: 0, stdout: `account ${username} created (operator)\n` });
    expect((await iotctl(['get', 'accounts'])).stdout).toMatch(
      new RegExp(`^${username} +operator +\\d+s +no$`, 'm'),
    );
    const short = await iotctl(
      ['create', 'account', `${username}x`, '--role', 'viewer', '--password-stdin'],
      {
        stdin: 'short\n',
      },
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^error: .*password.*\n$/);
  });
});

describe('the real process (bin.js through tsx)', () => {
  const run = promisify(execFile);
  const bin = join(repoRoot, 'cmd/iotctl/bin.js');
  const childEnv = () => {
    const { IOT_API_URL: _url, IOT_API_TOKEN: _token, ...rest } = process.env;
    return { ...rest, XDG_CONFIG_HOME: home };
  };

  it('reads with the stored context and exits 0', async () => {
    const { stdout } = await run(bin, ['get', 'sensors', '-o', 'json'], { env: childEnv() });
    expect(Array.isArray(JSON.parse(stdout))).toBe(true);
  });

  it.each([
    [
      ['set-frequency', 'AAD-1123', '0'],
      2,
      /^error: .*Must be a number of Hz, 1-25600\.\nusage: iotctl set-frequency/,
    ],
    [['get', 'sensor', 'NOPE-404404'], 1, /^error: sensor NOPE-404404 not found\n$/],
    [
      ['set', 'target', 'press', '--bearing', 'balls=9'],
      2,
      /^error: .*balls, ball-mm and pitch-mm are needed\.\nusage: iotctl set target/,
    ],
    [['baseline', 'reset', 'NOPE-404404'], 1, /^error: sensor NOPE-404404 not found\n$/],
    [
      ['--api', 'https://127.0.0.1:1', 'get', 'sensors'],
      1,
      /^error: cannot reach https:\/\/127\.0\.0\.1:1: connection refused/,
    ],
  ])('%j exits %i with one line on stderr', async (argv, code, stderr) => {
    const error = (await run(bin, argv, { env: childEnv() }).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
      stdout: string;
    };
    expect(error.code).toBe(code);
    expect(error.stderr).toMatch(stderr);
    expect(error.stdout).toBe('');
  });
});

describe('machine parameters, features, baseline reset', () => {
  it('create and set a target’s machine, shown by get target; bad flags exit 2', async () => {
    const name = uniqueSerial('pump').toLowerCase();
    const created = await iotctl([
      'create',
      'target',
      name,
      '--rpm',
      '1797',
      '--bearing',
      'balls=9,ball-mm=7.94,pitch-mm=39.04',
      '--iso-class',
      'group2-rigid',
      '--controller',
      'plc-7:50051',
    ]);
    expect(created).toMatchObject({ code: 0, stdout: `target ${name} created (fixed)\n` });
    const set = await iotctl(['set', 'target', name, '--rpm', '1480', '--iso-class', 'none']);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^RPM +1480$/m);
    expect(set.stdout).toMatch(/^ISO CLASS +—$/m);
    expect(JSON.parse((await iotctl(['get', 'target', name, '-o', 'json'])).stdout)).toMatchObject({
      name,
      rpm: 1480,
      bearing: { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 },
      isoClass: null,
      controllerAddress: 'plc-7:50051',
    });
    const shown = await iotctl(['get', 'target', name]);
    expect(shown.stdout).toMatch(/^BEARING +9 balls, 7\.94\/39\.04 mm, 0°$/m);
    expect((await iotctl(['get', 'targets'])).stdout).toMatch(
      new RegExp(`^${name} +fixed +— +1480 +9 balls, 7\\.94/39\\.04 mm, 0° +— +plc-7:50051 `, 'm'),
    );

    const bad = await iotctl([
      'set',
      'target',
      name,
      '--bearing',
      'balls=9,ball-mm=40,pitch-mm=39',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ball-mm must be less than pitch-mm/);
    expect(bad.stderr.trimEnd().split('\n').at(-1)).toBe(
      'usage: iotctl set target [options] <target>',
    );
    const missing = await iotctl(['set', 'target', 'no-such-target', '--rpm', '100']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: target no-such-target not found\n$/);
  });

  it('get features lists the windows; baseline reset starts the baseline over', async () => {
    const serial = uniqueSerial('FEAT');
    const id = await createSensor(pool, serial, { hz: 1000 });
    await pool.query(
      `INSERT INTO sensor_feature (sensor_id, window_start, window_end, sample_rate_hz,
         sample_count, acceleration_rms_g, acceleration_peak_g, crest_factor, kurtosis,
         velocity_rms_mm_s, iso_zone, dominant_hz, dominant_amplitude_g, diagnosis,
         anomaly_score, baseline_status, feature_vector)
       SELECT $1, now() - (k + 1) * interval '1 s', now() - k * interval '1 s', 1000, 1000,
         0.7071, 1, 1.414, 1.5, 13.8, 'B', 80, 1, NULL,
         CASE WHEN k = 0 THEN 0.5 END, CASE WHEN k = 0 THEN 'ready' ELSE 'learning' END, '{}'
       FROM generate_series(0, 2) k`,
      [id],
    );
    const table = await iotctl(['get', 'features', serial, '--since', '1h']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^WINDOW +RMS G +PEAK G +CREST +KURTOSIS +VEL MM\/S +ZONE/);
    expect(lines[1]).toMatch(/ 0\.707 +1\.000 +1\.41 +1\.50 +13\.80 +B +80\.0 +— +0\.50 +ready$/);
    expect(lines[3]).toMatch(/ learning$/);
    const json = JSON.parse((await iotctl(['get', 'features', serial, '-o', 'json'])).stdout) as {
      baselineStatus: string;
    }[];
    expect(json.map((f) => f.baselineStatus)).toEqual(['ready', 'learning', 'learning']);
    const future = await iotctl(['get', 'features', serial, '--since', '2099-01-01T00:00:00Z']);
    expect(future).toMatchObject({ code: 0, stdout: '', stderr: 'No features found.\n' });

    expect((await iotctl(['baseline', 'reset', serial])).stdout).toBe(
      `${serial} has no baseline yet (nothing analysed); nothing to reset\n`,
    );
    await pool.query(`INSERT INTO sensor_baseline (sensor_id, baseline) VALUES ($1, $2)`, [
      id,
      JSON.stringify({ version: 1, rateHz: 1000, windows: 5, learned: 5, features: {} }),
    ]);
    expect(await iotctl(['baseline', 'reset', serial])).toMatchObject({
      code: 0,
      stdout: `baseline of ${serial} reset; learning again from the next 5 windows\n`,
    });
    const { rows } = await pool.query<{ learned: number }>(
      `SELECT (baseline->>'learned')::int AS learned FROM sensor_baseline WHERE sensor_id = $1`,
      [id],
    );
    expect(rows[0]?.learned).toBe(0);
    const unknown = await iotctl(['baseline', 'reset', 'NOPE-404404']);
    expect(unknown).toMatchObject({ code: 1, stderr: 'error: sensor NOPE-404404 not found\n' });
  });
});
