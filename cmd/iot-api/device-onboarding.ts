// Onboarding real devices (issue 15): iot-api manages each device's broker user through
// RabbitMQ's management API. Chosen over RabbitMQ's HTTP auth backend (every device login
// and every publish's permission check would ask iot-api, or its cache, so an iot-api
// outage stops the fleet) and over client certificates (RabbitMQ 3.10 cannot tie a
// certificate to a client id, and revoking one needs a CRL the broker re-reads). With the
// management API the broker keeps working on its own; a rotation or a deletion changes its
// user database and closes the device's connections, which takes effect at once.
//
// The password is random (internal/auth issueDevicePassword), shown once, stored only as the
// broker's hash. The user's permissions are the same as the simulator's provisioning gives
// (internal/routing devicePermissions): its own topics, its own session queue.
import type pg from 'pg';
import { issueDevicePassword } from '../../internal/auth/index.js';
import type { RabbitAdmin } from '../../internal/pubsub/index.js';
import { ApiError } from './errors.js';
import {
  deleteDeviceCredential,
  insertDeviceCredential,
  markRotated,
  ownsSerial,
} from './store/device-credentials-store.js';
import { inTransaction } from './store/queryable.js';

/** What a device needs to connect, as iotctl prints it: once. */
export interface DeviceCredentials {
  serial: string;
  mqttUrl: string | null;
  /** Username and MQTT client id: both are the serial. */
  username: string;
  clientId: string;
  password: string;
  /** PEM of the CA that signed the broker's certificate; null when none is configured. */
  ca: string | null;
}

export interface DeviceOnboardingOptions {
  pool: pg.Pool;
  admin: Pick<RabbitAdmin, 'ensureDeviceUser' | 'deleteDevice' | 'closeUserConnections'>;
  /** Where devices connect (IOT_MQTT_URL as devices reach it). */
  mqttUrl: string | undefined;
  caPem: string | undefined;
}

export class DeviceOnboarding {
  constructor(private readonly options: DeviceOnboardingOptions) {}

  /** A new device of the organization, optionally mounted on a target. */
  async create(
    organizationId: string,
    serial: string,
    target: string | undefined,
  ): Promise<DeviceCredentials> {
    const password = issueDevicePassword();
    // The row and the broker user together: if the broker refuses, no row is left behind.
    await inTransaction(this.options.pool, async (client) => {
      const created = await insertDeviceCredential(client, organizationId, serial, target);
      if (created.kind === 'taken') {
        throw new ApiError('conflict', `serial ${serial} is already registered`);
      }
      if (created.kind === 'no_target')
        throw new ApiError('not_found', `target ${target} not found`);
      await this.options.admin.ensureDeviceUser(serial, password);
    });
    return this.credentials(serial, password);
  }

  /** New credentials for a device of the organization; the old ones stop working now. */
  async rotate(organizationId: string, serial: string): Promise<DeviceCredentials | undefined> {
    const password = issueDevicePassword();
    const found = await inTransaction(this.options.pool, async (client) => {
      if (!(await ownsSerial(client, organizationId, serial))) return false;
      await markRotated(client, serial);
      await this.options.admin.ensureDeviceUser(serial, password);
      return true;
    });
    if (!found) return undefined;
    await this.options.admin.closeUserConnections(serial, 'credentials rotated');
    return this.credentials(serial, password);
  }

  /**
   * Forgets a device on the broker: its user, its session queue (commands waiting for it)
   * and its open connections; and its onboarding row. The caller deletes its data.
   */
  async revoke(db: pg.PoolClient, serial: string): Promise<void> {
    await deleteDeviceCredential(db, serial);
    await this.options.admin.deleteDevice(serial);
    await this.options.admin.closeUserConnections(serial, 'sensor deleted');
  }

  private credentials(serial: string, password: string): DeviceCredentials {
    return {
      serial,
      mqttUrl: this.options.mqttUrl ?? null,
      username: serial,
      clientId: serial,
      password,
      ca: this.options.caPem ?? null,
    };
  }
}
