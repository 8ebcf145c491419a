// Real faults against the real processes, counting samples: PostgreSQL crashing and coming
// back, a lock on the measurement table, an ingester killed mid-stream, every service stopped
// under load, iot-api restarted while iotctl waits, and a registration the database would
// refuse. The platform starts once; each test adds the load it needs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEAD_LETTER_QUEUE,
  EXCHANGE,
  QUEUES,
  deviceKey,
  measurementBatchCodec,
  registrationCodec,
} from '../../internal/routing/index.js';
import { DeadLetterBox, type AmqpConnection, type Publisher } from '../../internal/pubsub/index.js';
import {
  deadLetterCount,
  openConnection,
  rabbitAdmin,
  required,
} from '../../utils/test/brokers.js';
import {
  blockJoints,
  count,
  createSensor,
  testPool,
  uniqueSerial,
} from '../../utils/test/database.js';
import { pointIotctlAt, runIotctl, spawnIotctl } from '../../utils/test/iotctl.js';
import {
  everyConfirmedSampleStored,
  samplesStored,
  type SensorSummary,
} from '../../utils/test/fleet.js';
import { Platform, sensorId } from '../../utils/test/platform.js';
import type { ServiceProcess } from '../../utils/test/processes.js';
import { repoRoot, stackEnv } from '../../utils/test/stack-env.js';

const stack = path.join(repoRoot, 'utils/stack.sh');
const workDir = mkdtempSync(path.join(tmpdir(), 'iot-faults-'));
const xdg = path.join(workDir, 'config');
const platform = new Platform(workDir);
/**
 * The ingesters' prefetch here: small, so a 10 s lock builds a backlog larger than what a
 * consumer may hold, and the bound is visible on the broker.
 */
const PREFETCH = 20;
/** How long PostgreSQL stays down (the 30 s). */
const DATABASE_OUTAGE_MS = 30_000;
/** How long the lock on sensor_measurement is held (the 10 s). */
const LOCK_MS = 10_000;
/** "Within a few seconds": SIGTERM to exit, for any service under load. */
const STOP_WITHIN_MS = 5_000;

let pool: pg.Pool;
let broker: { connection: AmqpConnection; publisher: Publisher };
let ingester: ServiceProcess;
let api: ServiceProcess;

/** Waiting for what was held to be written: the probes back off to 5 s (dependency-wait.ts). */
const RECOVERY = { timeout: 30_000, interval: 500 };
const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));
const pgCtl = (...args: string[]) => execFileSync(stack, ['pg_ctl', ...args], { stdio: 'ignore' });
const superuserSql = (sql: string) =>
  execFileSync(stack, ['psql', '-qc', sql], { stdio: 'ignore' });
const readyz = async (service: ServiceProcess) => {
  const res = await fetch(`http://127.0.0.1:${service.httpPort}/readyz`);
  return { status: res.status, body: (await res.json()) as { reasons?: Record<string, string> } };
};
const run = () => Date.now().toString(36).slice(-4).toUpperCase();
const alive = (service: ServiceProcess) =>
  service.child.exitCode === null && service.child.signalCode === null;

/** Each block starts exactly where the one before it ended: no duplicate, no gap. */
async function storedOnceWithoutGaps(sensors: SensorSummary[]) {
  await everyConfirmedSampleStored(pool, sensors);
  for (const s of sensors) {
    const joints = await blockJoints(pool, await sensorId(pool, s.serial));
    expect(
      joints.map(([us]) => us),
      s.serial,
    ).toEqual([0]);
  }
}

/**
 * The database away for DATABASE_OUTAGE_MS while three sensors stream (1 kHz, 500 Hz and a
 * 200 Hz mobile one): the ingester's /readyz says it waits for the database; afterwards every
 * service is ready again, none died, every confirmed sample, fix and log line is stored once
 * and nothing is dead-lettered.
 */
async function databaseOutage(prefix: string, outage: { begin: () => void; end: () => void }) {
  const r = run();
  const { simulator, summary } = await platform.startSimulator([
    `${prefix}${r}-A:1000`,
    `${prefix}${r}-B:500`,
    `${prefix}${r}-C:200:mobile`,
  ]);
  await vi.waitFor(
    async () => expect(await samplesStored(pool, `${prefix}${r}-A`)).toBeGreaterThan(2000),
    {
      timeout: 30_000,
      interval: 250,
    },
  );
  outage.begin();
  const downSince = Date.now();
  let reason = '';
  try {
    await vi.waitFor(
      async () => {
        const { status, body } = await readyz(ingester);
        expect(status).toBe(503);
        reason = body.reasons?.consumers ?? '';
        expect(reason).toMatch(/waiting for database since/);
      },
      { timeout: DATABASE_OUTAGE_MS - 5_000, interval: 250 },
    );
    await sleep(DATABASE_OUTAGE_MS - (Date.now() - downSince));
  } finally {
    outage.end();
  }
  expect(reason).toMatch(/^sensor\.all\.(measurements|locations)\.db_writer: waiting for database/);
  // Everything recovers on its own: every service ready again, none died.
  await vi.waitFor(async () => expect((await readyz(ingester)).status).toBe(200), {
    timeout: 30_000,
    interval: 500,
  });
  expect(await simulator.stop('SIGTERM')).toBe(0);
  const sensors = summary().sensors;
  for (const s of sensors) expect(s.samplesDropped, s.serial).toBe(0);
  await storedOnceWithoutGaps(sensors);
  for (const s of sensors) {
    const id = await sensorId(pool, s.serial);
    await vi.waitFor(async () => {
      expect(
        await count(pool, 'SELECT count(*) AS n FROM target_location WHERE sensor_id = $1', [id]),
      ).toBe(s.locationsConfirmed);
      expect(
        await count(pool, 'SELECT count(*) AS n FROM sensor_log WHERE sensor_id = $1', [id]),
      ).toBe(s.logsConfirmed);
    }, RECOVERY);
  }
  expect(platform.services.filter((s) => s.name !== 'sensor-simulation').every(alive)).toBe(true);
  // Nothing dead-lettered; should anything be, the failure names its queue and reason.
  expect((await new DeadLetterBox(broker.connection).summary()).groups).toEqual([]);
}

beforeAll(async () => {
  // Start from empty work queues: earlier test files may leave messages behind (batches of
  // sensors they deleted, junk), which these services would dead-letter mid-fault.
  for (const queue of Object.values(QUEUES)) await rabbitAdmin().purgeQueue(queue);
  pool = testPool();
  broker = await openConnection('faults-test');
  const env = { IOT_AMQP_PREFETCH: String(PREFETCH) };
  await platform.start('sensor-registry');
  ingester = await platform.start('sensor-measurements-ingester', { env });
  await platform.start('sensor-logs-ingester', { env });
  // Analytics and alarms live through the faults too: none may kill them, and what they hold
  // waits like the rest (the outages check every service is alive and nothing dead-lettered).
  await platform.start('sensor-analytics');
  await platform.start('sensor-alarms');
  api = await platform.start('iot-api', { https: true });
  await pointIotctlAt(xdg, api.httpPort);
  const login = await runIotctl(
    xdg,
    ['login', required(stackEnv(), 'IOT_ADMIN_USERNAME'), '--password-stdin'],
    `${required(stackEnv(), 'IOT_ADMIN_PASSWORD')}\n`,
  );
  expect(login.code, login.stderr).toBe(0);
});
beforeEach(async () => {
  await rabbitAdmin().purgeQueue(DEAD_LETTER_QUEUE);
});
afterAll(async () => {
  // A test that failed mid-outage must not leave the stack's database down or refusing.
  try {
    pgCtl('status');
  } catch {
    pgCtl('start');
  }
  superuserSql(`ALTER ROLE ${new URL(required(stackEnv(), 'IOT_DATABASE_URL')).username} LOGIN`);
  await platform.stopAll();
  await broker?.connection.close();
  await pool?.end();
  await platform.forgetDevices();
}, 120_000);

describe('faults, end to end', () => {
  it('a registration with a NUL byte is handled on its first delivery, nothing retried', async () => {
    const serial = uniqueSerial('NUL');
    const body = registrationCodec.encode({
      schemaVersion: 1,
      serial,
      sampleFrequencyHz: 100,
      firmwareVersion: '1.0\u0000evil',
      mount: 'fixed',
      bootedAtMs: Date.now(),
      reportedAtMs: Date.now(),
      state: '',
    });
    await broker.publisher.publish(EXCHANGE, deviceKey(serial, 'registry'), body);
    // The registry cleans device text (PostgreSQL text cannot hold U+0000): enrolled at once.
    await vi.waitFor(async () => expect(await sensorId(pool, serial)).toBeGreaterThan(0), {
      timeout: 10_000,
    });
    const { rows } = await pool.query<{ firmware_version: string }>(
      'SELECT firmware_version FROM sensor WHERE serial_number = $1',
      [serial],
    );
    expect(rows[0]?.firmware_version).toBe('1.0\uFFFDevil');
    expect((await rabbitAdmin().queueStats(QUEUES.registry)).messages).toBe(0);
    expect(await deadLetterCount()).toBe(0);
  });

  it('PostgreSQL stopped (immediate) for 30 s: /readyz says why, then every confirmed sample is stored once', async () => {
    await databaseOutage('PGO', {
      begin: () => pgCtl('stop', '-m', 'immediate'),
      end: () => pgCtl('start'),
    });
  });

  it('PostgreSQL refusing the services for 30 s (their role may not log in, its sessions ended): the same', async () => {
    // The services' role, as in IOT_DATABASE_URL; the superuser's sessions stay.
    const role = new URL(required(stackEnv(), 'IOT_DATABASE_URL')).username;
    await databaseOutage('PGR', {
      begin: () =>
        superuserSql(
          `ALTER ROLE ${role} NOLOGIN; ` +
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`,
        ),
      end: () => superuserSql(`ALTER ROLE ${role} LOGIN`),
    });
  });

  it('a 10 s lock on the measurement table: unacked stays within prefetch, the backlog drains, nothing dead-lettered', async () => {
    const r = run();
    const { simulator, summary } = await platform.startSimulator(
      [`LCK${r}-A:1000`, `LCK${r}-B:500`, `LCK${r}-C:250`],
      ['--batch-interval', '250ms'],
    );
    await vi.waitFor(
      async () => expect(await samplesStored(pool, `LCK${r}-A`)).toBeGreaterThan(500),
      {
        timeout: 30_000,
        interval: 250,
      },
    );
    const locker = new pg.Client({ connectionString: required(stackEnv(), 'IOT_DATABASE_URL') });
    await locker.connect();
    const admin = rabbitAdmin();
    let mostUnacked = 0;
    let mostReady = 0;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE sensor_measurement IN ACCESS EXCLUSIVE MODE');
      const until = Date.now() + LOCK_MS;
      while (Date.now() < until) {
        const stats = await admin.queueStats(QUEUES.measurementsDbWriter);
        mostUnacked = Math.max(mostUnacked, stats.messagesUnacknowledged);
        mostReady = Math.max(mostReady, stats.messagesReady);
        await sleep(500);
      }
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
    // 12 batches a second for 10 s queue up behind the lock; the ingester holds no more
    // than its prefetch (the management API's figures lag a few seconds: a bound, not a race).
    expect(mostUnacked).toBeLessThanOrEqual(PREFETCH);
    expect(mostReady).toBeGreaterThan(0);
    expect(await simulator.stop('SIGTERM')).toBe(0);
    await storedOnceWithoutGaps(summary().sensors);
    expect(await deadLetterCount()).toBe(0);
  });

  it('an ingester replica SIGKILLed three times mid-stream (two replicas): zero loss, zero duplicates', async () => {
    const r = run();
    const env = { IOT_AMQP_PREFETCH: String(PREFETCH) };
    let replica = await platform.start('sensor-measurements-ingester', { env });
    const { simulator, summary } = await platform.startSimulator([
      `KIL${r}-A:1000`,
      `KIL${r}-B:500`,
    ]);
    for (let kill = 1; kill <= 3; kill++) {
      const before = await samplesStored(pool, `KIL${r}-A`);
      await vi.waitFor(
        async () => expect(await samplesStored(pool, `KIL${r}-A`)).toBeGreaterThan(before + 1000),
        {
          timeout: 30_000,
          interval: 250,
        },
      );
      await replica.stop('SIGKILL');
      replica = await platform.start('sensor-measurements-ingester', { env });
    }
    expect(await simulator.stop('SIGTERM')).toBe(0);
    await storedOnceWithoutGaps(summary().sensors);
    expect(await deadLetterCount()).toBe(0);
    await replica.stop('SIGTERM');
  });

  it('SIGTERM to each service under load: exit 0 within a few seconds, the rest drained after a restart', async () => {
    const r = run();
    const { simulator, summary } = await platform.startSimulator([
      `TRM${r}-A:1000`,
      `TRM${r}-B:200:mobile`,
    ]);
    await vi.waitFor(
      async () => expect(await samplesStored(pool, `TRM${r}-A`)).toBeGreaterThan(1000),
      {
        timeout: 30_000,
        interval: 250,
      },
    );
    const running = (name: string) => platform.services.find((s) => s.name === name)!;
    const analytics = running('sensor-analytics');
    const alarms = running('sensor-alarms');
    const stopTimes: Record<string, number> = {};
    for (const service of [...platform.services]) {
      if (service.name === 'sensor-simulation' || !alive(service)) continue;
      const started = Date.now();
      expect(
        await service.stop('SIGTERM'),
        `${service.name}: ${service.output().slice(-2000)}`,
      ).toBe(0);
      stopTimes[service.name] = Date.now() - started;
    }
    expect(Object.keys(stopTimes).sort()).toEqual([
      'iot-api',
      'sensor-alarms',
      'sensor-analytics',
      'sensor-logs-ingester',
      'sensor-measurements-ingester',
      'sensor-registry',
    ]);
    for (const [name, ms] of Object.entries(stopTimes))
      expect(ms, name).toBeLessThan(STOP_WITHIN_MS);
    expect(alive(analytics)).toBe(false);
    expect(alive(alarms)).toBe(false);
    // Back up (the API on its port, for the next test): what came meanwhile is stored.
    platform.services = platform.services.filter(alive);
    const env = { IOT_AMQP_PREFETCH: String(PREFETCH) };
    await platform.start('sensor-registry');
    ingester = await platform.start('sensor-measurements-ingester', { env });
    await platform.start('sensor-logs-ingester', { env });
    api = await platform.start('iot-api', { https: true, httpPort: api.httpPort });
    expect(await simulator.stop('SIGTERM')).toBe(0);
    await storedOnceWithoutGaps(summary().sensors);
    await rabbitAdmin().purgeQueue(QUEUES.measurementsAnalytics);
    await rabbitAdmin().purgeQueue(QUEUES.featuresAlarms);
  });

  it('iot-api restarted while `iotctl sleep --wait` waits: the command ends applied, and says so afterwards', async () => {
    const serial = uniqueSerial('API');
    // Enrolled, then offline: the command waits for the device to come back.
    const first = await platform.startSimulator([`${serial}:100`], ['--duration', '3']);
    expect(await first.simulator.exit).toBe(0);
    const waiting = spawnIotctl(xdg, ['sleep', serial, '--wait', '--timeout', '2m']);
    await vi.waitFor(() => expect(waiting.stdout()).toMatch(/command \S+ queued/), {
      timeout: 30_000,
    });
    const id = /command (\S+) queued/.exec(waiting.stdout())?.[1] ?? '';
    // With iotctl's event stream open: the stream is ended, not waited for.
    const stopping = Date.now();
    expect(await api.stop('SIGTERM'), api.output().slice(-3000)).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(STOP_WITHIN_MS);
    // The device comes online while the API is away: its announcement waits in its queue.
    const second = await platform.startSimulator([`${serial}:100`]);
    await sleep(3_000);
    api = await platform.start('iot-api', { https: true, httpPort: api.httpPort });
    const code = await waiting.exit;
    expect(code, waiting.stderr()).toBe(0);
    expect(waiting.stdout()).toContain(`command ${id} applied`);
    const shown = await runIotctl(xdg, ['get', 'command', id, '-o', 'json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { status: string }).status).toBe('applied');
    expect(await second.simulator.stop('SIGTERM')).toBe(0);
  });
});

describe('dead letters for operators, through the real iotctl', () => {
  it('counts them by queue and reason, refuses a replay without --reason, and replays the fixed ones', async () => {
    const serial = uniqueSerial('DLQ');
    const key = deviceKey(serial, 'measurements');
    // Sent ten minutes ago by a sensor nobody enrolled: past the 60 s wait for its enrolment.
    const sentAtMs = Date.now() - 10 * 60_000;
    for (let sequence = 1; sequence <= 3; sequence++) {
      const batch = measurementBatchCodec.encode({
        schemaVersion: 1,
        serial,
        sequence,
        startTimeUs: (sentAtMs + sequence * 1000) * 1000,
        sampleRateHz: 100,
        values: Array.from({ length: 100 }, (_, i) => Math.sin(i / 10)),
        publishedAtMs: sentAtMs + sequence * 1000,
      });
      await broker.publisher.publish(EXCHANGE, key, batch);
    }
    await broker.publisher.publish(EXCHANGE, key, Buffer.from('not protobuf at all'));
    await vi.waitFor(async () => expect(await deadLetterCount()).toBe(4), RECOVERY);

    const looked = await runIotctl(xdg, ['get', 'deadletters', '--samples', '2', '-o', 'json']);
    expect(looked.code, looked.stderr).toBe(0);
    const summary = JSON.parse(looked.stdout) as {
      total: number;
      groups: { queue: string; reason: string; count: number }[];
      samples: { routingKey: string }[];
    };
    expect(summary.total).toBe(4);
    expect(summary.groups).toEqual([
      {
        queue: QUEUES.measurementsDbWriter,
        reason: `unknown serial ${serial}: not enrolled within 60 s`,
        count: 3,
      },
      {
        queue: QUEUES.measurementsDbWriter,
        reason: expect.stringMatching(/not a valid MeasurementBatch/) as string,
        count: 1,
      },
    ]);
    expect(summary.samples.map((s) => s.routingKey)).toEqual([key, key]);
    const table = await runIotctl(xdg, ['get', 'deadletters', '--reason', 'unknown serial']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      /^3 dead letters\nCOUNT\s+QUEUE\s+REASON\n\s*3\s+sensor\.all\.measurements\.db_writer\s+unknown serial/,
    );
    // Looking changes nothing.
    expect(await deadLetterCount()).toBe(4);

    const bare = await runIotctl(xdg, ['deadletters', 'replay']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--reason/);

    await createSensor(pool, serial, { hz: 100 });
    const replay = await runIotctl(xdg, [
      'deadletters',
      'replay',
      '--reason',
      `unknown serial ${serial}`,
      '--queue',
      QUEUES.measurementsDbWriter,
      '-o',
      'json',
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual({
      replayed: 3,
      byQueue: { [QUEUES.measurementsDbWriter]: 3 },
    });
    await vi.waitFor(async () => expect(await samplesStored(pool, serial)).toBe(300), RECOVERY);
    // The junk stays for an operator to look at; nothing replayed came back.
    expect(await deadLetterCount()).toBe(1);
  });
});
