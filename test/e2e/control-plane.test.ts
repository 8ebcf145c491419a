// End to end through the real iotctl binary: an operator logs in, lists the running sensors,
// puts one to sleep and wakes it, changes another's sample rate, and commands sensors that are
// offline. The real services and the real simulated devices do the rest; the database says
// what really happened.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rabbitAdmin, required } from '../../utils/test/brokers.js';
import { count, testPool, uniqueSerial } from '../../utils/test/database.js';
import { iotctlJson as iotctlJsonIn, pointIotctlAt, runIotctl } from '../../utils/test/iotctl.js';
import { startService, type ServiceProcess } from '../../utils/test/processes.js';
import { stackEnv } from '../../utils/test/stack-env.js';

const env = stackEnv();
const workDir = mkdtempSync(path.join(tmpdir(), 'iot-control-plane-'));
const xdg = path.join(workDir, 'config');
const WAIT = { timeout: 30_000, interval: 250 };
const SLEEPER = uniqueSerial('CTL');
const TUNED = uniqueSerial('CTL');

let pool: pg.Pool;
const services: ServiceProcess[] = [];
let simulator: ServiceProcess | undefined;
const summaries: string[] = [];

const iotctl = (args: string[], stdin = '') => runIotctl(xdg, args, stdin);
const iotctlJson = <T>(args: string[]) => iotctlJsonIn<T>(xdg, args);

async function startSimulator() {
  const summaryFile = path.join(workDir, `summary-${summaries.length}.json`);
  summaries.push(summaryFile);
  simulator = await startService('sensor-simulation', {
    args: [
      '--provision',
      '--summary-file',
      summaryFile,
      `--sensor=${SLEEPER}:100`,
      `--sensor=${TUNED}:100`,
      '--heartbeat',
      '1s',
    ],
  });
}

async function stopSimulator() {
  const code = await simulator?.stop('SIGTERM');
  expect(code, simulator?.output().slice(-3000)).toBe(0);
  simulator = undefined;
}

/** Samples the broker confirmed for a sensor, over every simulator run so far. */
function confirmedSamples(serial: string): number {
  return summaries
    .map(
      (file) =>
        JSON.parse(readFileSync(file, 'utf8')) as {
          sensors: { serial: string; samplesConfirmed: number }[];
        },
    )
    .flatMap((summary) => summary.sensors)
    .filter((sensor) => sensor.serial === serial)
    .reduce((sum, sensor) => sum + sensor.samplesConfirmed, 0);
}

const rows = (serial: string, from?: Date, to?: Date) =>
  count(
    pool,
    `SELECT count(*) AS n FROM sensor_samples($1, COALESCE($2::timestamptz, '-infinity'),
                                                   COALESCE($3::timestamptz, 'infinity'))`,
    [serial, from ?? null, to ?? null],
  );
const logLines = (serial: string, from: Date, to?: Date) =>
  count(
    pool,
    `SELECT count(*) AS n FROM sensor_log l JOIN sensor s ON s.id = l.sensor_id
     WHERE s.serial_number = $1 AND l.time >= $2 AND ($3::timestamptz IS NULL OR l.time < $3)`,
    [serial, from, to ?? null],
  );

interface CommandJson {
  id: string;
  status: string;
  issuedAt: string;
  history: { status: string; at: string }[];
}
const appliedAt = (command: CommandJson) =>
  new Date(command.history.find((h) => h.status === 'applied')!.at);

beforeAll(async () => {
  pool = testPool();
  const logDir = path.join(workDir, 'sensor-logs');
  for (const name of ['sensor-registry', 'sensor-measurements-ingester', 'sensor-logs-ingester']) {
    services.push(await startService(name, { env: { IOT_SENSOR_LOG_DIR: logDir } }));
  }
  const api = await startService('iot-api', { https: true });
  services.push(api);
  await pointIotctlAt(xdg, api.httpPort);
  await startSimulator();
});

afterAll(async () => {
  await simulator?.stop('SIGKILL');
  for (const service of services.reverse()) await service.stop();
  await pool?.end();
  // The devices' persistent sessions keep a command queue each; leave none behind.
  const admin = rabbitAdmin();
  for (const serial of [SLEEPER, TUNED]) await admin.deleteDevice(serial);
});

describe('an operator with iotctl', () => {
  it('logs in with nothing but the username and the password on stdin', async () => {
    const login = await iotctl(
      ['login', required(env, 'IOT_ADMIN_USERNAME'), '--password-stdin'],
      `${required(env, 'IOT_ADMIN_PASSWORD')}\n`,
    );
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/logged in/);
  });

  it('lists the running sensors', async () => {
    await vi.waitFor(async () => {
      const sensors = await iotctlJson<{ serial: string; connectivity: string }[]>([
        'get',
        'sensors',
      ]);
      const ours = sensors.filter((s) => [SLEEPER, TUNED].includes(s.serial));
      expect(ours.map((s) => [s.serial, s.connectivity]).sort()).toEqual(
        [
          [SLEEPER, 'online'],
          [TUNED, 'online'],
        ].sort(),
      );
    }, WAIT);
    const table = await iotctl(['get', 'sensors']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^SERIAL\s+/);
    expect(table.stdout).toContain(SLEEPER);
  });

  /** When the sleep was recorded applied, and when the awake was asked: the device slept between. */
  let asleepAt: Date;
  let awakeAskedAt: Date;

  it('sleep --wait: measurements stop, logs go on', async () => {
    await vi.waitFor(async () => expect(await rows(SLEEPER)).toBeGreaterThan(0), WAIT);
    const sleep = await iotctl(['sleep', SLEEPER, '--wait']);
    expect(sleep.stderr).toBe('');
    expect(sleep.code).toBe(0);
    expect(sleep.stdout).toMatch(/applied/);
    const [latest] = await iotctlJson<CommandJson[]>(['get', 'commands', SLEEPER]);
    expect(latest?.status).toBe('applied');
    asleepAt = appliedAt(latest!);
    // Heartbeats keep coming while it sleeps (one a second).
    await vi.waitFor(
      async () =>
        expect(await logLines(SLEEPER, new Date(asleepAt.getTime() + 1000))).toBeGreaterThanOrEqual(
          2,
        ),
      WAIT,
    );
    const sensor = await iotctlJson<{ state: string; connectivity: string }>([
      'get',
      'sensor',
      SLEEPER,
    ]);
    expect(sensor).toMatchObject({ state: 'asleep', connectivity: 'online' });
  });

  it('awake --wait: measurements resume', async () => {
    const awake = await iotctl(['awake', SLEEPER, '--wait']);
    expect(awake.code).toBe(0);
    const [latest] = await iotctlJson<CommandJson[]>(['get', 'commands', SLEEPER]);
    awakeAskedAt = new Date(latest!.issuedAt);
    await vi.waitFor(
      async () => expect(await rows(SLEEPER, appliedAt(latest!))).toBeGreaterThan(0),
      WAIT,
    );
  });

  it('set-frequency 200 --wait: the new rows are 5 ms apart', async () => {
    const tuned = await iotctl(['set-frequency', TUNED, '200', '--wait']);
    expect(tuned.stderr).toBe('');
    expect(tuned.code).toBe(0);
    const [latest] = await iotctlJson<CommandJson[]>(['get', 'commands', TUNED]);
    const at = appliedAt(latest!);
    // From the next batch boundary on (batches are 1 s), every gap is exactly 5 ms.
    const from = new Date(at.getTime() + 1_000);
    await vi.waitFor(async () => expect(await rows(TUNED, from)).toBeGreaterThanOrEqual(400), WAIT);
    const { rows: gaps } = await pool.query<{ gap: string; n: string }>(
      `SELECT gap::text, count(*) AS n FROM (
         SELECT time - lag(time) OVER (ORDER BY time) AS gap
         FROM sensor_samples($1, $2, 'infinity')) g
       WHERE gap IS NOT NULL GROUP BY gap`,
      [TUNED, from],
    );
    expect(gaps.map((g) => g.gap)).toEqual(['00:00:00.005']);
    expect(
      (await iotctlJson<{ sampleFrequencyHz: number }>(['get', 'sensor', TUNED])).sampleFrequencyHz,
    ).toBe(200);
  });

  it('a command to an offline sensor waits for it, or expires', async () => {
    await stopSimulator();
    // Everything the devices measured before is stored; no sample falls in the sleep.
    await vi.waitFor(async () => expect(await rows(SLEEPER)).toBe(confirmedSamples(SLEEPER)), WAIT);
    expect(await rows(SLEEPER, asleepAt, awakeAskedAt)).toBe(0);
    expect(await logLines(SLEEPER, asleepAt, awakeAskedAt)).toBeGreaterThanOrEqual(2);

    const queued = await iotctl(['sleep', TUNED]);
    expect(queued.code).toBe(0);
    const waiting = (await iotctlJson<CommandJson[]>(['get', 'commands', TUNED]))[0]!;
    expect(waiting.status).toBe('sent');

    const expired = await iotctl(['set-frequency', SLEEPER, '50', '--expires-in', '2s', '--wait']);
    expect(expired.code).toBe(1);
    expect(expired.stderr).toMatch(/expired/);
    const [lapsed] = await iotctlJson<CommandJson[]>(['get', 'commands', SLEEPER]);
    expect(lapsed?.status).toBe('expired');

    await startSimulator();
    // The waiting sleep is delivered from the device's persistent session and applied…
    await vi.waitFor(async () => {
      const command = await iotctlJson<CommandJson>(['get', 'command', waiting.id]);
      expect(command.status).toBe('applied');
    }, WAIT);
    // …and the expired rate change is asked again when the sensor announces itself, because
    // it is still what the operator wants: the fleet converges.
    await vi.waitFor(async () => {
      const sensor = await iotctlJson<{ sampleFrequencyHz: number; state: string }>([
        'get',
        'sensor',
        SLEEPER,
      ]);
      expect(sensor.sampleFrequencyHz).toBe(50);
    }, WAIT);
    expect((await iotctlJson<{ state: string }>(['get', 'sensor', TUNED])).state).toBe('asleep');
  });

  it('prints API errors in one line and exits 1; bad usage exits 2', async () => {
    const missing = await iotctl(['get', 'sensor', 'NOPE-404']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/sensor NOPE-404 not found/);
    const outOfBounds = await iotctl(['set-frequency', SLEEPER, '30000']);
    expect(outOfBounds.code).toBe(2);
    expect(outOfBounds.stderr).toMatch(/25600/);
  });
});
