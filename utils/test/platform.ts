// The platform's real processes for end-to-end tests: the data-plane services, simulated
// sensors with the summary of what the broker confirmed, and the checks that count what
// arrived (every confirmed sample stored once, nothing dead-lettered).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { expect, vi } from 'vitest';
import { DEAD_LETTER_QUEUE } from '../../internal/routing/index.js';
import { rabbitAdmin, rawChannel } from './brokers.js';
import { count } from './database.js';
import { startService, type ServiceProcess } from './processes.js';

/** What the simulator's --summary-file says about one sensor. */
export interface SensorSummary {
  serial: string;
  sampleRateHz: number;
  samplesMeasured: number;
  samplesConfirmed: number;
  samplesDropped: number;
  locationsConfirmed: number;
  logsConfirmed: number;
}

/** The services that take devices' data in. */
export const DATA_PLANE_SERVICES = [
  'sensor-registry',
  'sensor-measurements-ingester',
  'sensor-logs-ingester',
] as const;

export class Platform {
  services: ServiceProcess[] = [];
  /** Serials the simulators used: their broker users and command queues go afterwards. */
  readonly devices: string[] = [];
  private summaries = 0;

  constructor(private readonly workDir: string) {}

  /** Starts a service with the platform's log directory; it is stopped by stopAll. */
  async start(name: string, options: Parameters<typeof startService>[1] = {}) {
    const service = await startService(name, {
      ...options,
      env: { IOT_SENSOR_LOG_DIR: path.join(this.workDir, 'sensor-logs'), ...options.env },
    });
    this.services.push(service);
    return service;
  }

  async startDataPlane(): Promise<void> {
    for (const name of DATA_PLANE_SERVICES) await this.start(name);
  }

  /** Simulated sensors (`SERIAL:HZ[:mount]`), provisioned on the broker. */
  async startSimulator(sensors: string[], extra: string[] = []) {
    this.devices.push(...sensors.map((spec) => spec.split(':')[0] ?? spec));
    const summaryFile = path.join(this.workDir, `summary-${this.summaries++}.json`);
    const simulator = await this.start('sensor-simulation', {
      args: [
        '--provision',
        '--summary-file',
        summaryFile,
        ...sensors.map((s) => `--sensor=${s}`),
        ...extra,
      ],
    });
    return {
      simulator,
      summary: () =>
        (JSON.parse(readFileSync(summaryFile, 'utf8')) as { sensors: SensorSummary[] }).sensors,
    };
  }

  async stopAll(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    for (const service of this.services.reverse()) await service.stop(signal);
    this.services = [];
  }

  async forgetDevices(): Promise<void> {
    const admin = rabbitAdmin();
    for (const serial of this.devices) await admin.deleteDevice(serial);
  }
}

/** Ready messages in the dead-letter queue, asked of the broker itself. */
export async function deadLetterCount(): Promise<number> {
  const { model, channel } = await rawChannel();
  try {
    return (await channel.checkQueue(DEAD_LETTER_QUEUE)).messageCount;
  } finally {
    await model.close();
  }
}

/** Samples stored for a serial (the blocks' sample counts). */
export const storedSamples = (pool: pg.Pool, serial: string) =>
  count(
    pool,
    `SELECT COALESCE(sum(sample_count), 0) AS n FROM sensor_measurement
      WHERE sensor_id = (SELECT id FROM sensor WHERE serial_number = $1)`,
    [serial],
  );

export const sensorId = (pool: pg.Pool, serial: string) =>
  count(pool, 'SELECT id AS n FROM sensor WHERE serial_number = $1', [serial]);

/** Waits until the database holds exactly what each sensor had confirmed. */
export async function everyConfirmedSampleStored(
  pool: pg.Pool,
  sensors: SensorSummary[],
  timeoutMs = 60_000,
): Promise<void> {
  await vi.waitFor(
    async () => {
      for (const s of sensors) {
        expect(await storedSamples(pool, s.serial), s.serial).toBe(s.samplesConfirmed);
      }
    },
    { timeout: timeoutMs, interval: 500 },
  );
}
