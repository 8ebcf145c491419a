// Alarms end to end with the real processes: simulated sensors over MQTT, the registry, the
// ingester, sensor-analytics, sensor-alarms, the machine-controller simulator over gRPC/TLS,
// iot-api and the real iotctl. A healthy machine runs for over a minute and raises nothing; an
// outer-race fault raises a major alarm naming the outer race within 10 s of its onset, its
// controller is told reduce-speed exactly once, and the alarm clears once the fault is gone;
// the faulty sensor falling silent raises its offline alarm and clears it when it returns; a
// machine whose controller is down gets a failed action on its alarm while the analysis goes
// on; the alarms service is killed and restarted in the middle and no alarm is lost or
// doubled; `iotctl watch` (on the SSE stream) shows the raised alarm.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfigPath, writeContext } from '../../internal/iotctl-config/index.js';
import { DEAD_LETTER_QUEUE, QUEUES } from '../../internal/routing/index.js';
import { freePort } from '../../utils/free-port.js';
import { rabbitAdmin, required } from '../../utils/test/brokers.js';
import { createSensor, testPool } from '../../utils/test/database.js';
import { runIotctl, spawnIotctl } from '../../utils/test/iotctl.js';
import { startService, type ServiceProcess } from '../../utils/test/processes.js';
import { stackEnv } from '../../utils/test/stack-env.js';

const env = stackEnv();
const workDir = mkdtempSync(path.join(tmpdir(), 'iot-e2e-alarms-'));
const xdg = path.join(workDir, 'config');
const iotctl = (args: string[], stdin = '') => runIotctl(xdg, args, stdin);

/** 6.4 kHz: envelope analysis (bearing defects) needs 3.2 kHz or more. */
const RATE = 6400;
const RPM = 1480;
const SKF_6205 = 'balls=9,ball-mm=7.94,pitch-mm=39.04,angle=0';
const MACHINE = ['--rpm', String(RPM), '--bearing', SKF_6205];
/** The healthy machine runs this long: the "no alarm for a minute", and some. */
const HEALTHY_S = 70;
const ONSET_S = 5;
const FAULTY_S = 25;
/** What the issue asks: the alarm within 10 s of the fault's onset. */
const RAISED_WITHIN_S = 10;
/** The faulty sensor's offline threshold: the "short threshold in the test". */
const OFFLINE_AFTER_S = 5;

const run = Date.now().toString(36).slice(-5).toUpperCase();
const HEALTHY = `ALM${run}-H`;
const FAULTY = `ALM${run}-F`;
const UNREACHABLE = `ALM${run}-U`;

let pool: pg.Pool;
let services: ServiceProcess[] = [];
let alarms: ServiceProcess;
let controllerHttp: number;

const start = async (name: string, options: Parameters<typeof startService>[1] = {}) => {
  const service = await startService(name, options);
  services.push(service);
  return service;
};
const startAlarms = () =>
  start('sensor-alarms', {
    env: { IOT_ALARMS_SWEEP_INTERVAL: '1s', IOT_ALARMS_ACTION_ATTEMPTS: '3' },
  });
const simulate = (sensors: string[], seconds: number) =>
  start('sensor-simulation', {
    args: ['--provision', '--duration', String(seconds), ...sensors],
  });

async function machineTarget(name: string, controller: string): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO target (organization_id, name, kind, rpm, bearing_balls, bearing_ball_mm,
       bearing_pitch_mm, bearing_angle_deg, iso_class, controller_address)
     VALUES ((SELECT id FROM organization WHERE name = 'default'), $1, 'fixed', $2, 9, 7.94,
       39.04, 0, 'group2-rigid', $3)
     RETURNING id`,
    [name, RPM, controller],
  );
  return Number(rows[0]?.id);
}

interface AlarmRow {
  id: string;
  rule: string;
  severity: string;
  state: string;
  diagnosis: string | null;
  message: string;
  raised_at: Date;
  action_status: string | null;
  action_reason: string | null;
  transitions: string[];
}

async function alarmsOf(serial: string): Promise<AlarmRow[]> {
  const { rows } = await pool.query<AlarmRow>(
    `SELECT a.id, a.rule, a.severity, a.state, a.diagnosis, a.message, a.raised_at,
            a.action_status, a.action_reason,
            ARRAY(SELECT transition FROM alarm_transition t WHERE t.alarm_id = a.id ORDER BY t.id)
              AS transitions
       FROM alarm a JOIN sensor s ON s.id = a.sensor_id
      WHERE s.serial_number = $1 ORDER BY a.id`,
    [serial],
  );
  return rows;
}

const byRule = async (serial: string, rule: string) =>
  (await alarmsOf(serial)).filter((a) => a.rule === rule);

const windowsOf = async (serial: string) =>
  Number(
    (
      await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM sensor_feature f JOIN sensor s ON s.id = f.sensor_id
          WHERE s.serial_number = $1`,
        [serial],
      )
    ).rows[0]?.n,
  );

async function firstWindowStart(serial: string): Promise<Date> {
  const { rows } = await pool.query<{ first: Date }>(
    `SELECT min(window_start) AS first FROM sensor_feature f JOIN sensor s ON s.id = f.sensor_id
      WHERE s.serial_number = $1`,
    [serial],
  );
  return rows[0]!.first;
}

beforeAll(async () => {
  pool = testPool();
  const admin = rabbitAdmin();
  for (const q of [...Object.values(QUEUES), DEAD_LETTER_QUEUE]) await admin.purgeQueue(q);
  const grpcPort = await freePort();
  const controller = await start('machine-controller', {
    env: {
      IOT_MACHINE_CONTROLLER_PORT: String(grpcPort),
      IOT_MACHINE_CONTROLLER_HOST: '127.0.0.1',
    },
  });
  controllerHttp = controller.httpPort;
  const address = `localhost:${grpcPort}`;
  const nobody = `localhost:${await freePort()}`;
  // Enrolled beforehand on their machines, so the first window knows the machine.
  await createSensor(pool, HEALTHY, {
    hz: RATE,
    targetId: await machineTarget(`press-${run}`, address),
  });
  await createSensor(pool, FAULTY, {
    hz: RATE,
    targetId: await machineTarget(`pump-${run}`, address),
  });
  await createSensor(pool, UNREACHABLE, {
    hz: RATE,
    targetId: await machineTarget(`fan-${run}`, nobody),
  });
  for (const name of ['sensor-registry', 'sensor-measurements-ingester', 'sensor-analytics']) {
    await start(name);
  }
  alarms = await startAlarms();
  const api = await start('iot-api', { https: true });
  await writeContext(
    defaultConfigPath({ XDG_CONFIG_HOME: xdg }),
    'local',
    {
      api: `https://localhost:${api.httpPort}`,
      ca: readFileSync(required(env, 'IOT_TLS_CA_FILE'), 'utf8'),
    },
    { makeCurrent: true },
  );
  const login = await iotctl(
    ['login', required(env, 'IOT_ADMIN_USERNAME'), '--password-stdin'],
    `${required(env, 'IOT_ADMIN_PASSWORD')}\n`,
  );
  expect(login.code, login.stderr).toBe(0);
});

afterAll(async () => {
  for (const service of services.reverse()) await service.stop('SIGKILL');
  await pool?.end();
  const admin = rabbitAdmin();
  for (const serial of [HEALTHY, FAULTY, UNREACHABLE]) await admin.deleteDevice(serial);
});

describe('alarms, end to end', () => {
  it('raises, acts, survives a restart, goes offline and clears', async () => {
    // The operator sets the rules with iotctl: reduce speed on a bearing fault, stop the fan.
    for (const [target, action] of [
      [`pump-${run}`, 'reduce-speed'],
      [`fan-${run}`, 'stop'],
    ]) {
      const set = await iotctl(['set', 'rule', target!, 'bearing-fault', '--action', action!]);
      expect(set.code, set.stderr).toBe(0);
    }
    const offline = await iotctl([
      'set',
      'rule',
      `pump-${run}`,
      'offline',
      '--threshold',
      String(OFFLINE_AFTER_S),
    ]);
    expect(offline.code, offline.stderr).toBe(0);

    const healthy = await simulate([`--sensor=${HEALTHY}:${RATE}`, ...MACHINE], HEALTHY_S);
    const fault = ['--fault', `bearing-outer@${ONSET_S}`];
    const faulty = await simulate(
      [
        `--sensor=${FAULTY}:${RATE}`,
        ...MACHINE,
        ...fault,
        `--sensor=${UNREACHABLE}:${RATE}`,
        ...MACHINE,
        ...fault,
      ],
      FAULTY_S,
    );
    const watch = spawnIotctl(xdg, ['watch', FAULTY, '-o', 'json']);

    // The outer race, within 10 s of the onset.
    await expect
      .poll(async () => (await byRule(FAULTY, 'bearing-fault')).length, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(1);
    const [bearing] = await byRule(FAULTY, 'bearing-fault');
    expect(bearing).toMatchObject({ severity: 'major', diagnosis: 'bearing_outer_race' });
    expect(bearing?.message).toMatch(/^bearing_outer_race/);
    // The onset on the sensor's clock: its first window's start and ONSET_S.
    const onsetMs = (await firstWindowStart(FAULTY)).getTime() + ONSET_S * 1000;
    expect((bearing!.raised_at.getTime() - onsetMs) / 1000).toBeLessThan(RAISED_WITHIN_S);

    // The alarms service dies mid-fault and comes back: the fault goes on being evaluated.
    await alarms.stop('SIGKILL');
    services = services.filter((s) => s !== alarms);
    alarms = await startAlarms();

    // The unreachable controller: retried, then failed with the reason; the analysis goes on.
    await expect
      .poll(async () => (await byRule(UNREACHABLE, 'bearing-fault'))[0]?.action_status, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe('failed');
    const [failed] = await byRule(UNREACHABLE, 'bearing-fault');
    expect(failed?.action_reason).toMatch(/^UNAVAILABLE/);
    const windowsAtFailure = await windowsOf(UNREACHABLE);
    await expect
      .poll(() => windowsOf(UNREACHABLE), { timeout: 30_000 })
      .toBeGreaterThan(windowsAtFailure);

    // The faulty sensor stops; silent past its threshold, it is offline.
    expect(await faulty.exit).toBe(0);
    await expect
      .poll(async () => (await byRule(FAULTY, 'offline')).map((a) => a.state), {
        timeout: 30_000,
        interval: 500,
      })
      .toEqual(['active']);

    // It comes back, without the fault: the offline alarm clears, then the bearing alarm
    // after its ten clean seconds.
    const back = await simulate([`--sensor=${FAULTY}:${RATE}`, ...MACHINE], 25);
    await expect
      .poll(async () => (await byRule(FAULTY, 'offline')).map((a) => a.state), {
        timeout: 30_000,
        interval: 500,
      })
      .toEqual(['cleared']);
    await expect
      .poll(async () => (await byRule(FAULTY, 'bearing-fault')).map((a) => a.state), {
        timeout: 60_000,
        interval: 500,
      })
      .toEqual(['cleared']);
    expect(await back.exit).toBe(0);

    // Through the kill and the restart: one bearing alarm, raised once and cleared once, and
    // the controller applied reduce-speed exactly once.
    expect((await byRule(FAULTY, 'bearing-fault'))[0]?.transitions).toEqual([
      'raised',
      'action-delivered',
      'cleared',
    ]);
    const actions = (await (await fetch(`http://127.0.0.1:${controllerHttp}/actions`)).json()) as {
      applied: { action: string; serial: string }[];
    };
    expect(actions.applied.filter((a) => a.serial === FAULTY)).toEqual([
      expect.objectContaining({ action: 'reduce-speed' }),
    ]);

    // `iotctl watch` saw the alarm raised on the stream.
    await watch.interrupt();
    const events = watch
      .stdout()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: { rule?: string; state?: string } });
    expect(events.some((e) => e.type === 'feature')).toBe(true);
    expect(
      events.some(
        (e) => e.type === 'alarm' && e.data.rule === 'bearing-fault' && e.data.state === 'active',
      ),
    ).toBe(true);

    // The healthy machine ran over a minute and raised nothing.
    expect(await healthy.exit).toBe(0);
    expect(await windowsOf(HEALTHY)).toBeGreaterThanOrEqual(60);
    expect(await alarmsOf(HEALTHY)).toEqual([]);
  });
});
