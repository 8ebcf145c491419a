// The /readyz checks of a service that consumes the broker into the database: both reachable,
// and no consumer holding deliveries while it waits for one of them.
import type pg from 'pg';
import { consumersReady, type AmqpConnection, type Consumer } from '../pubsub/index.js';
import { databaseReady } from '../storage/index.js';
import type { ReadinessCheck } from '../telemetry/index.js';

export function consumerServiceChecks(
  connection: AmqpConnection,
  pool: pg.Pool,
  consumers: readonly Consumer[],
): Record<string, ReadinessCheck> {
  return {
    broker: () => connection.isConnected,
    database: () => databaseReady(pool),
    consumers: consumersReady(consumers),
  };
}
