// Each simulated sensor's broker user (username = serial, password derived from the device
// secret, permissions limited to its own topics), created before it boots: the simulator's
// `--provision`, and the bench before its fleet powers on. A convenience for the local stack
// and benchmarks; in production a factory or an operator provisions devices.
import { devicePassword } from '../auth/index.js';
import type { RabbitAdmin } from '../pubsub/index.js';
import type { Logger } from '../telemetry/index.js';
import { mapWithConcurrency } from './concurrency.js';

/** Parallel management-API requests: a thousand users in seconds without swamping the broker. */
export const PROVISION_CONCURRENCY = 16;

export async function provisionSensors(
  admin: Pick<RabbitAdmin, 'ensureDeviceUser'>,
  serials: readonly string[],
  deviceSecret: string,
  logger: Logger,
  concurrency = PROVISION_CONCURRENCY,
): Promise<void> {
  const started = Date.now();
  await mapWithConcurrency(serials, concurrency, (serial) =>
    admin.ensureDeviceUser(serial, devicePassword(deviceSecret, serial)),
  );
  logger.info({ sensors: serials.length, ms: Date.now() - started }, 'broker users provisioned');
}
