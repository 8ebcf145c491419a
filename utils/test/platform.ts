// The platform's real processes for end-to-end tests, started once and stopped together: the
// data-plane services, iot-api, simulated sensors (fleet.ts counts what they confirmed).
import path from 'node:path';
import type pg from 'pg';
import { rabbitAdmin } from './brokers.js';
import { count } from './database.js';
import { startSensors } from './fleet.js';
import { startService, type ServiceProcess } from './processes.js';

export class Platform {
  services: ServiceProcess[] = [];
  /** Serials the simulators used: their broker users and command queues go afterwards. */
  readonly devices: string[] = [];

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

  /** Simulated sensors (`SERIAL:HZ[:mount]`), provisioned on the broker (fleet.ts). */
  async startSimulator(sensors: string[], extra: string[] = []) {
    this.devices.push(...sensors.map((spec) => spec.split(':')[0] ?? spec));
    const started = await startSensors(this.workDir, sensors, extra);
    this.services.push(started.simulator);
    return started;
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

export const sensorId = (pool: pg.Pool, serial: string) =>
  count(pool, 'SELECT id AS n FROM sensor WHERE serial_number = $1', [serial]);
