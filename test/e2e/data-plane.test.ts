// End to end with the real processes: simulated sensors speak MQTT to the broker, the
// registry enrolls them, the ingesters store what they sent. Afterwards every confirmed
// sample is a row, exactly once, at its exact time; locations and logs arrived too.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEAD_LETTER_QUEUE, QUEUES } from '../../internal/routing/index.js';
import { deadLetterCount, rabbitAdmin } from '../../utils/test/brokers.js';
import { blockJoints, count, testPool } from '../../utils/test/database.js';
import {
  type SensorSummary,
  everyConfirmedSampleStored as everyConfirmedSampleStoredIn,
  samplesStored,
  startSensors,
} from '../../utils/test/fleet.js';
import { startService, type ServiceProcess } from '../../utils/test/processes.js';
import { repoRoot } from '../../utils/test/stack-env.js';

let pool: pg.Pool;
let services: ServiceProcess[] = [];
const workDir = mkdtempSync(path.join(tmpdir(), 'iot-e2e-'));

async function startPlatform() {
  for (const name of ['sensor-registry', 'sensor-measurements-ingester', 'sensor-logs-ingester']) {
    services.push(
      await startService(name, { env: { IOT_SENSOR_LOG_DIR: path.join(workDir, 'sensor-logs') } }),
    );
  }
}

/** Serials this file's simulators used: their broker users and command queues go afterwards. */
const devices: string[] = [];

async function startSimulator(sensors: string[], extra: string[] = []) {
  devices.push(...sensors.map((spec) => spec.split(':')[0] ?? spec));
  const started = await startSensors(workDir, sensors, extra);
  services.push(started.simulator);
  return started;
}

const sensorId = async (serial: string) =>
  count(pool, 'SELECT id AS n FROM sensor WHERE serial_number = $1', [serial]);
const rowsOf = (serial: string) => samplesStored(pool, serial);
const everyConfirmedSampleStored = (sensors: SensorSummary[]) =>
  everyConfirmedSampleStoredIn(pool, sensors);

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

describe('the data plane, end to end', () => {
  it('five sensors at mixed frequencies: every confirmed sample stored once, exactly on time', async () => {
    const run = Date.now().toString(36).slice(-5).toUpperCase();
    const specs = [
      [`E2E${run}-A`, 100, 'fixed'],
      [`E2E${run}-B`, 200, 'fixed'],
      [`E2E${run}-C`, 250, 'fixed'],
      [`E2E${run}-D`, 500, 'fixed'],
      [`E2E${run}-E`, 1000, 'mobile'],
    ] as const;
    await startPlatform();
    const { simulator, summary } = await startSimulator(
      specs.map(([serial, hz, mount]) => `${serial}:${hz}:${mount}`),
      ['--duration', '10'],
    );
    expect(await simulator.exit).toBe(0);
    const sensors = summary().sensors;
    expect(sensors.map((s) => s.serial).sort()).toEqual(specs.map(([serial]) => serial));
    for (const s of sensors) {
      expect(s.samplesConfirmed, s.serial).toBeGreaterThanOrEqual(s.sampleRateHz * 8);
      expect(s.samplesDropped).toBe(0);
    }
    await everyConfirmedSampleStored(sensors);

    for (const [serial, hz, mount] of specs) {
      const id = await sensorId(serial);
      // Enrolled once.
      expect(
        await count(pool, 'SELECT count(*) AS n FROM sensor WHERE serial_number = $1', [serial]),
      ).toBe(1);
      // Each block starts exactly where the one before it ended: no gap, no overlap.
      const joints = await blockJoints(pool, id);
      expect(
        joints.map(([us]) => us),
        serial,
      ).toEqual([0]);
      // Read back as samples, strictly increasing by exactly 1/rate: one distinct gap.
      const gaps = await pool.query<{ gap_us: string }>(
        `SELECT DISTINCT round(extract(epoch FROM gap) * 1e6) AS gap_us FROM (
           SELECT time - lag(time) OVER (ORDER BY time) AS gap
             FROM sensor_samples($1, '-infinity', 'infinity')) g WHERE gap IS NOT NULL`,
        [serial],
      );
      expect(
        gaps.rows.map((r) => Number(r.gap_us)),
        serial,
      ).toEqual([1e6 / hz]);
      // Locations: a route at 1 Hz for the vehicle, one fixed position for the machines.
      const fixes = await count(
        pool,
        'SELECT count(*) AS n FROM target_location WHERE sensor_id = $1',
        [id],
      );
      const sent = sensors.find((s) => s.serial === serial)!;
      expect(fixes, `${serial} locations`).toBe(sent.locationsConfirmed);
      if (mount === 'mobile') expect(fixes).toBeGreaterThanOrEqual(8);
      else expect(fixes).toBe(1);
      // Logs: boot lines and heartbeats, in the database...
      await vi.waitFor(async () =>
        expect(
          await count(pool, 'SELECT count(*) AS n FROM sensor_log WHERE sensor_id = $1', [id]),
        ).toBe(sent.logsConfirmed),
      );
    }
    // ...and in the day file Alloy tails.
    const logDir = path.join(workDir, 'sensor-logs');
    const lines = readdirSync(logDir)
      .map((file) => readFileSync(path.join(logDir, file), 'utf8'))
      .join('');
    for (const [serial] of specs) expect(lines).toContain(`"serial":"${serial}"`);
    expect(await deadLetterCount()).toBe(0);
  });

  it('a broker outage: every sample measured meanwhile is stored after recovery', async () => {
    const run = Date.now().toString(36).slice(-5).toUpperCase();
    const serials = [`OUT${run}-A`, `OUT${run}-B`];
    await startPlatform();
    const { simulator, summary } = await startSimulator([
      `${serials[0]}:500`,
      `${serials[1]}:200:mobile`,
    ]);
    await vi.waitFor(async () => expect(await rowsOf(serials[0]!)).toBeGreaterThan(1000), {
      timeout: 30_000,
      interval: 250,
    });
    const stack = path.join(repoRoot, 'utils/stack.sh');
    execFileSync(stack, ['rabbitmqctl', 'stop_app'], { stdio: 'ignore' });
    const storedDuringOutage = await rowsOf(serials[0]!);
    await new Promise((wake) => setTimeout(wake, 4_000)); // the outage itself, not an assertion
    execFileSync(stack, ['rabbitmqctl', 'start_app'], { stdio: 'ignore' });
    // Running again: the ingester stores new samples past what it had before the outage.
    await vi.waitFor(
      async () => expect(await rowsOf(serials[0]!)).toBeGreaterThan(storedDuringOutage + 5 * 500),
      { timeout: 60_000, interval: 500 },
    );
    expect(await simulator.stop('SIGTERM')).toBe(0);
    const sensors = summary().sensors;
    for (const s of sensors) {
      expect(s.samplesDropped, s.serial).toBe(0);
      expect(s.samplesConfirmed, s.serial).toBe(s.samplesMeasured);
    }
    await everyConfirmedSampleStored(sensors);
  });
});
