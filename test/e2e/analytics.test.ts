// Analytics end to end with the real processes: two simulated sensors on the same machine (an
// SKF 6205 bearing at 1480 rpm, told to the platform through their target), one of which
// develops an outer-race defect some seconds after it starts. The simulator speaks MQTT, the
// registry enrolls, the ingester stores, sensor-analytics diagnoses: the faulty sensor's
// windows say bearing_outer_race within 10 s of the onset, the healthy one's say nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_QUEUE, QUEUES } from '../../internal/routing/index.js';
import { rabbitAdmin } from '../../utils/test/brokers.js';
import { createSensor, testPool } from '../../utils/test/database.js';
import { MACHINE_RATE_HZ, MACHINE_RPM, SKF_6205 } from '../../utils/test/machines.js';
import { startService, startSimulation, type ServiceProcess } from '../../utils/test/processes.js';

let pool: pg.Pool;
let services: ServiceProcess[] = [];
const devices: string[] = [];
const workDir = mkdtempSync(path.join(tmpdir(), 'iot-e2e-analytics-'));

const RATE = MACHINE_RATE_HZ;
const RPM = MACHINE_RPM;
const ONSET_S = 5;
const RUN_S = 16;
/** What the issue asks: the fault is diagnosed within 10 s of its onset. */
const DIAGNOSIS_WITHIN_S = 10;

beforeAll(async () => {
  pool = testPool();
  const admin = rabbitAdmin();
  for (const q of [...Object.values(QUEUES), DEAD_LETTER_QUEUE]) await admin.purgeQueue(q);
});
afterEach(async () => {
  for (const service of services.reverse()) await service.stop('SIGKILL');
  services = [];
});
afterAll(async () => {
  await pool.end();
  const admin = rabbitAdmin();
  for (const serial of devices) await admin.deleteDevice(serial);
});

/** A target with the machine's parameters, as an operator would set them. */
async function machineTarget(name: string): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO target (organization_id, name, kind, rpm, bearing_balls, bearing_ball_mm,
       bearing_pitch_mm, bearing_angle_deg, iso_class)
     VALUES ((SELECT id FROM organization WHERE name = 'default'), $1, 'fixed', $2, 9, 7.94,
       39.04, 0, 'group2-rigid')
     RETURNING id`,
    [name, RPM],
  );
  return Number(rows[0]?.id);
}

interface WindowRow {
  start_s: number;
  end_s: number;
  diagnosis: string | null;
  /** Wall-clock seconds from the first window's start to this window's analysis. */
  analysed_s: number;
}

async function windowsOf(sensorId: number): Promise<WindowRow[]> {
  const { rows } = await pool.query<WindowRow>(
    `SELECT extract(epoch FROM window_start - first)::float8 AS start_s,
            extract(epoch FROM window_end - first)::float8 AS end_s,
            diagnosis,
            extract(epoch FROM analysed_at - first)::float8 AS analysed_s
       FROM sensor_feature,
            (SELECT min(window_start) AS first FROM sensor_feature WHERE sensor_id = $1) f
      WHERE sensor_id = $1 ORDER BY window_start`,
    [sensorId],
  );
  return rows;
}

describe('analytics, end to end', () => {
  it('diagnoses an outer-race defect within 10 s of its onset, and a healthy twin not at all', async () => {
    const run = Date.now().toString(36).slice(-5).toUpperCase();
    const faulty = `BRG${run}-F`;
    const healthy = `BRG${run}-H`;
    devices.push(faulty, healthy);
    // Enrolled beforehand, on the machine's target, so the first window knows the machine.
    const target = await machineTarget(`press-${run}`);
    const faultyId = await createSensor(pool, faulty, { hz: RATE, targetId: target });
    const healthyId = await createSensor(pool, healthy, { hz: RATE, targetId: target });

    for (const name of ['sensor-registry', 'sensor-measurements-ingester', 'sensor-analytics']) {
      services.push(await startService(name));
    }
    const machine = ['--rpm', String(RPM), '--bearing', SKF_6205];
    const simulator = await startSimulation(path.join(workDir, 'summary.json'), RUN_S, [
      `--sensor=${faulty}:${RATE}`,
      ...machine,
      '--fault',
      `bearing-outer@${ONSET_S}`,
      `--sensor=${healthy}:${RATE}`,
      ...machine,
    ]);
    services.push(simulator);
    expect(await simulator.exit).toBe(0);

    // Every window of both sensors analysed (the simulator measured RUN_S one-second batches).
    let faultyWindows: WindowRow[] = [];
    await expect
      .poll(
        async () => {
          faultyWindows = await windowsOf(faultyId);
          return faultyWindows.length;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(RUN_S - 1);

    // Before the onset: nothing. The first window that starts after it: diagnosed, and every
    // one after it too.
    const before = faultyWindows.filter((w) => w.end_s <= ONSET_S);
    expect(before.length).toBeGreaterThanOrEqual(ONSET_S - 1);
    expect(before.map((w) => w.diagnosis)).toEqual(before.map(() => null));
    const after = faultyWindows.filter((w) => w.start_s >= ONSET_S);
    expect(after.length).toBeGreaterThanOrEqual(5);
    expect(after.map((w) => w.diagnosis)).toEqual(after.map(() => 'bearing_outer_race'));
    // Within 10 s of the onset, in the wall clock: the window was analysed by then.
    const first = faultyWindows.find((w) => w.diagnosis === 'bearing_outer_race');
    expect(first).toBeDefined();
    expect(first!.analysed_s - ONSET_S).toBeLessThan(DIAGNOSIS_WITHIN_S);

    const healthyWindows = await windowsOf(healthyId);
    expect(healthyWindows.length).toBeGreaterThanOrEqual(RUN_S - 1);
    expect(healthyWindows.filter((w) => w.diagnosis !== null)).toEqual([]);
  });
});
