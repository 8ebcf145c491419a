// sensor-alarms and the machine-controller simulator as real processes against the local
// stack: feature events published on the broker become one alarm per sensor and rule with its
// transitions, an action goes over gRPC (TLS, the stack's CA) and is applied once however
// often it is retried, a controller that is down leaves a failed action with its reason, a
// silent sensor raises its offline alarm and clears it when heard again, and poison is
// dead-lettered with its reason.
import type { Channel, ChannelModel } from 'amqplib';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AmqpConnection, Publisher } from '../../internal/pubsub/index.js';
import {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_QUEUE,
  EXCHANGE,
  QUEUES,
  derivedKey,
  featureEventCodec,
  type FeatureEvent,
} from '../../internal/routing/index.js';
import { freePort } from '../../utils/free-port.js';
import { drainQueue, openConnection, rabbitAdmin, rawChannel } from '../../utils/test/brokers.js';
import { createSensor, createTarget, testPool, uniqueSerial } from '../../utils/test/database.js';
import { metricValue, startService, type ServiceProcess } from '../../utils/test/processes.js';

const admin = rabbitAdmin();
let pool: pg.Pool;
let connection: AmqpConnection;
let publisher: Publisher;
let raw: { model: ChannelModel; channel: Channel };
let services: ServiceProcess[] = [];

/** Sweeps twice a second, so silence is judged within the test's patience. */
const SWEEP = '500ms';

const start = async (name: string, env: Record<string, string> = {}) => {
  const service = await startService(name, { env });
  services.push(service);
  return service;
};
const startAlarms = (env: Record<string, string> = {}) =>
  start('sensor-alarms', { IOT_ALARMS_SWEEP_INTERVAL: SWEEP, ...env });

/** A controller simulator on a port of its own; its gRPC address for the target. */
async function startController(env: Record<string, string> = {}) {
  const grpcPort = await freePort();
  const service = await start('machine-controller', {
    IOT_MACHINE_CONTROLLER_PORT: String(grpcPort),
    IOT_MACHINE_CONTROLLER_HOST: '127.0.0.1',
    ...env,
  });
  const actions = async () => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/actions`);
    return (await res.json()) as {
      applied: { key: string; action: string; alarmId: string }[];
      calls: { key: string; outcome: string }[];
    };
  };
  return { service, address: `localhost:${grpcPort}`, actions };
}

beforeAll(async () => {
  pool = testPool();
  ({ connection, publisher } = await openConnection('alarms-test'));
  raw = await rawChannel();
});
afterAll(async () => {
  await connection.close();
  await raw.model.close();
  await pool.end();
});
beforeEach(async () => {
  for (const q of [QUEUES.featuresAlarms, DEAD_LETTER_QUEUE]) await admin.purgeQueue(q);
});
afterEach(async () => {
  for (const service of services.reverse()) await service.stop('SIGKILL');
  services = [];
});

/** A sensor on a group2-rigid machine (zone C from 2.8 mm/s, D from 4.5), with rules set. */
async function machineSensor(
  prefix: string,
  rules: { rule: string; action?: string; threshold?: number; raiseAfterMs?: number }[] = [],
  controllerAddress: string | null = null,
) {
  const serial = uniqueSerial(prefix);
  const targetId = await createTarget(pool, `${serial}-machine`, 'fixed');
  await pool.query(
    `UPDATE target SET iso_class = 'group2-rigid', rpm = 1480, controller_address = $2
      WHERE id = $1`,
    [targetId, controllerAddress],
  );
  for (const r of rules) {
    await pool.query(
      `INSERT INTO alarm_rule (target_id, rule, action, threshold, raise_after_ms)
       VALUES ($1, $2, $3, $4, $5)`,
      [targetId, r.rule, r.action ?? null, r.threshold ?? null, r.raiseAfterMs ?? null],
    );
  }
  const id = await createSensor(pool, serial, { targetId });
  return { serial, id, targetId };
}

/** An hour ago: window times are the sensor's clock, and the rules measure durations in it. */
const T0_US = (Date.now() - 3_600_000) * 1000;

/** Window k (1 s) of a sensor: healthy unless told otherwise. */
function window(serial: string, k: number, over: Partial<FeatureEvent> = {}) {
  return {
    serial,
    windowStartUs: T0_US + k * 1_000_000,
    windowEndUs: T0_US + (k + 1) * 1_000_000,
    sampleRateHz: 6400,
    accelerationRmsG: 0.2,
    accelerationPeakG: 0.6,
    crestFactor: 3,
    kurtosis: 3,
    velocityRmsMmS: 1.2,
    isoClass: 'group2-rigid',
    isoZone: 'A',
    dominantHz: 24.7,
    diagnosis: null,
    diagnosisEvidence: null,
    anomalyScore: 1,
    baselineStatus: 'ready',
    publishedAtMs: Date.now(),
    analysedAtMs: Date.now(),
    bpfoStrength: 1,
    bpfiStrength: 1,
    bsfStrength: 1,
    ftfStrength: 1,
    ...over,
  } satisfies Omit<FeatureEvent, 'schemaVersion'>;
}

const OUTER_RACE = {
  diagnosis: 'bearing_outer_race',
  diagnosisEvidence: 'BPFO 88.6 Hz stands 12× over its neighbourhood',
  bpfoStrength: 12,
};

const publishWindows = async (events: ReturnType<typeof window>[]) => {
  for (const e of events) {
    await publisher.publish(
      EXCHANGE,
      derivedKey(e.serial, 'features'),
      featureEventCodec.encode(e),
    );
  }
};

interface AlarmRow {
  id: string;
  rule: string;
  severity: string;
  state: string;
  diagnosis: string | null;
  message: string;
  peak_value: number | null;
  action: string | null;
  action_status: string | null;
  action_reason: string | null;
  action_attempts: number;
  transitions: string[];
}

async function alarmsOf(sensorId: number): Promise<AlarmRow[]> {
  const { rows } = await pool.query<AlarmRow>(
    `SELECT a.id, a.rule, a.severity, a.state, a.diagnosis, a.message, a.peak_value, a.action,
            a.action_status, a.action_reason, a.action_attempts,
            ARRAY(SELECT transition FROM alarm_transition t WHERE t.alarm_id = a.id ORDER BY t.id)
              AS transitions
       FROM alarm a WHERE a.sensor_id = $1 ORDER BY a.id`,
    [sensorId],
  );
  return rows;
}

const windowsTaken = async (alarms: ServiceProcess) =>
  metricValue(await alarms.metrics(), 'iot_alarms_messages_total');

async function waitForWindows(alarms: ServiceProcess, n: number) {
  await expect.poll(() => windowsTaken(alarms), { timeout: 30_000, interval: 100 }).toBe(n);
}

describe('sensor-alarms', () => {
  it('raises one alarm after the minimum duration, updates it, and clears it after the delay', async () => {
    const { serial, id } = await machineSensor('BRG');
    const alarms = await startAlarms();
    // 2 healthy windows, 2 diagnosed (under the 3 s minimum), 1 healthy: nothing raised.
    const events = [0, 1].map((k) => window(serial, k));
    events.push(...[2, 3].map((k) => window(serial, k, OUTER_RACE)), window(serial, 4));
    await publishWindows(events);
    await waitForWindows(alarms, events.length);
    expect(await alarmsOf(id)).toEqual([]);

    // Six diagnosed windows: raised at the third, updated by the rest, never a second row.
    await publishWindows([5, 6, 7, 8, 9, 10].map((k) => window(serial, k, OUTER_RACE)));
    await waitForWindows(alarms, events.length + 6);
    let [alarm, ...others] = await alarmsOf(id);
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      rule: 'bearing-fault',
      severity: 'major',
      state: 'active',
      diagnosis: 'bearing_outer_race',
      transitions: ['raised'],
    });
    expect(alarm?.message).toMatch(/^bearing_outer_race: BPFO/);

    // Nine clean windows are under the 10 s clear delay; the tenth clears it.
    await publishWindows([11, 12, 13, 14, 15, 16, 17, 18, 19].map((k) => window(serial, k)));
    await waitForWindows(alarms, events.length + 15);
    expect((await alarmsOf(id))[0]?.state).toBe('active');
    await publishWindows([window(serial, 20)]);
    await waitForWindows(alarms, events.length + 16);
    [alarm, ...others] = await alarmsOf(id);
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({ state: 'cleared', transitions: ['raised', 'cleared'] });

    // The same windows again (a redelivery) change nothing.
    await publishWindows([5, 6, 7, 8, 9, 10].map((k) => window(serial, k, OUTER_RACE)));
    await waitForWindows(alarms, events.length + 22);
    expect(metricValue(await alarms.metrics(), 'iot_alarms_duplicate_windows_total')).toBe(6);
    expect(await alarmsOf(id)).toHaveLength(1);
  });

  it('does not flap on a velocity hovering at the zone D boundary', async () => {
    const { serial, id } = await machineSensor('ISO', [{ rule: 'iso-zone-d', raiseAfterMs: 0 }]);
    const alarms = await startAlarms();
    // 4.5 mm/s ± 10 % (a noisy reading at group2-rigid's C/D boundary) for two minutes.
    const events = Array.from({ length: 120 }, (_, k) =>
      window(serial, k, { velocityRmsMmS: 4.5 * (1 + 0.1 * Math.sin(k * 2.399963)) }),
    );
    await publishWindows(events);
    await waitForWindows(alarms, events.length);
    // Zone D raised once and held; zone C too (every reading is far above 2.8 mm/s for more
    // than its minute). Neither cleared nor raised a second time.
    const rows = await alarmsOf(id);
    expect(rows.map((r) => [r.rule, r.severity, r.state, r.transitions])).toEqual([
      ['iso-zone-d', 'critical', 'active', ['raised']],
      ['iso-zone-c', 'major', 'active', ['raised']],
    ]);
    const peak = Math.max(...events.map((e) => e.velocityRmsMmS ?? 0));
    expect(rows[0]?.peak_value).toBeCloseTo(peak, 9);
  });

  it('delivers the action once over gRPC with TLS, through a refusal and a lost reply', async () => {
    // Call 1 refused (UNAVAILABLE), call 2 applied but answered after the deadline, call 3
    // answered "already applied": delivered, and the machine saw one reduce-speed.
    const controller = await startController({
      IOT_MACHINE_CONTROLLER_REFUSE_FIRST: '1',
      IOT_MACHINE_CONTROLLER_SLOW_FIRST: '2',
      IOT_MACHINE_CONTROLLER_SLOW_REPLY_MS: '2000',
    });
    const { serial, id } = await machineSensor(
      'ACT',
      [{ rule: 'bearing-fault', action: 'reduce-speed' }],
      controller.address,
    );
    await startAlarms({ IOT_ALARMS_ACTION_DEADLINE: '500ms' });
    await publishWindows([0, 1, 2].map((k) => window(serial, k, OUTER_RACE)));

    await expect
      .poll(async () => (await alarmsOf(id))[0]?.action_status, { timeout: 30_000, interval: 200 })
      .toBe('delivered');
    const [alarm] = await alarmsOf(id);
    expect(alarm).toMatchObject({
      action: 'reduce-speed',
      action_attempts: 3,
      transitions: ['raised', 'action-delivered'],
    });
    expect(alarm?.action_reason).toMatch(/^already applied/);
    const { applied, calls } = await controller.actions();
    expect(applied).toEqual([
      expect.objectContaining({ action: 'reduce-speed', alarmId: alarm?.id }),
    ]);
    expect(calls.map((c) => c.outcome)).toEqual(['refused', 'applied', 'duplicate']);
    expect(new Set(calls.map((c) => c.key)).size).toBe(1);
  });

  it('fails the action with the reason when the controller is down, and goes on evaluating', async () => {
    const nobody = `localhost:${await freePort()}`;
    const { serial, id } = await machineSensor(
      'DOWN',
      [{ rule: 'bearing-fault', action: 'stop' }],
      nobody,
    );
    const alarms = await startAlarms({ IOT_ALARMS_ACTION_ATTEMPTS: '3' });
    await publishWindows([0, 1, 2].map((k) => window(serial, k, OUTER_RACE)));
    // The evaluation does not wait for the controller: the alarm is there with its action
    // pending while the retries run, and later windows are taken in meanwhile.
    await publishWindows([3, 4].map((k) => window(serial, k, OUTER_RACE)));
    await waitForWindows(alarms, 5);
    await expect
      .poll(async () => (await alarmsOf(id))[0]?.action_status, { timeout: 30_000, interval: 200 })
      .toBe('failed');
    const [alarm] = await alarmsOf(id);
    expect(alarm).toMatchObject({
      state: 'active',
      action_attempts: 3,
      transitions: ['raised', 'action-failed'],
    });
    expect(alarm?.action_reason).toMatch(/^UNAVAILABLE/);
  });

  it('raises the offline alarm of a silent awake sensor and clears it when heard again', async () => {
    const silent = await machineSensor('OFF', [{ rule: 'offline', threshold: 2 }]);
    const asleep = await machineSensor('SLP', [{ rule: 'offline', threshold: 2 }]);
    await pool.query(`UPDATE sensor SET last_seen = now() - interval '1 minute' WHERE id = $1`, [
      silent.id,
    ]);
    await pool.query(
      `UPDATE sensor SET last_seen = now() - interval '1 minute', state = 'asleep' WHERE id = $1`,
      [asleep.id],
    );
    await startAlarms();
    await expect
      .poll(async () => (await alarmsOf(silent.id)).map((a) => [a.rule, a.severity, a.state]), {
        timeout: 15_000,
        interval: 200,
      })
      .toEqual([['offline', 'major', 'active']]);

    await pool.query('UPDATE sensor SET last_seen = now() WHERE id = $1', [silent.id]);
    await expect
      .poll(async () => (await alarmsOf(silent.id))[0]?.transitions, {
        timeout: 15_000,
        interval: 200,
      })
      .toEqual(['raised', 'cleared']);
    // Asleep is not offline.
    expect(await alarmsOf(asleep.id)).toEqual([]);
  });

  it('dead-letters what it cannot read, with the reason, and goes on', async () => {
    const { serial, id } = await machineSensor('POI');
    const alarms = await startAlarms();
    await publisher.publish(EXCHANGE, derivedKey(serial, 'features'), Buffer.from('not protobuf'));
    await publishWindows([0, 1, 2].map((k) => window(serial, k, OUTER_RACE)));
    await waitForWindows(alarms, 4);
    expect((await alarmsOf(id)).map((a) => a.rule)).toEqual(['bearing-fault']);
    const dead = await drainQueue(raw.channel, DEAD_LETTER_QUEUE);
    expect(dead.map((m) => String(m.properties.headers?.[DEAD_LETTER_HEADERS.queue]))).toEqual([
      QUEUES.featuresAlarms,
    ]);
    expect(String(dead[0]?.properties.headers?.[DEAD_LETTER_HEADERS.reason])).toMatch(
      /FeatureEvent/,
    );
  });
});
