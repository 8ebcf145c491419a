// sensor-registry: enrolls sensors from sensor.all.registry.created. Wiring only.
import { Counter } from 'prom-client';
import { runService, type RunningService } from '../../internal/lifecycle/index.js';
import { AmqpConnection, Consumer, Publisher, inOrderPerKey } from '../../internal/pubsub/index.js';
import { consumerServiceChecks, failureOutcome } from '../../internal/sensorlogic/index.js';
import { QUEUES } from '../../internal/routing/index.js';
import { createPool } from '../../internal/storage/index.js';
import {
  createMetricsRegistry,
  startHealthServer,
  type Logger,
} from '../../internal/telemetry/index.js';
import { loadRegistryConfig, type RegistryConfig } from './config.js';
import { createRegistrationHandler } from './handlers.js';

const SERVICE = 'sensor-registry';

async function start(config: RegistryConfig, logger: Logger): Promise<RunningService> {
  const registry = createMetricsRegistry(SERVICE);
  const registrations = new Counter({
    name: 'iot_registry_registrations_total',
    help: 'Registrations handled, by result (enrolled, updated) and dead-lettered',
    labelNames: ['result'],
    registers: [registry],
  });
  const pool = createPool(config.databaseUrl, { applicationName: SERVICE, max: 4 });
  const connection = await AmqpConnection.open({
    url: config.amqpUrl,
    logger,
    name: SERVICE,
  });
  const publisher = await Publisher.create(connection, { logger });
  const consumer = await Consumer.start(connection, {
    registry,
    queue: QUEUES.registry,
    publisher,
    logger,
    // A NUL byte or an out-of-range value: dead letter at once; the database away: wait.
    onHandlerError: failureOutcome,
    // Many sensors at once (a fleet boots together), each sensor's registrations in order.
    prefetch: 100,
    handler: inOrderPerKey(
      (delivery) => delivery.routingKey,
      createRegistrationHandler({
        pool,
        logger,
        onEnrolled: (_serial, isNew) =>
          registrations.inc({ result: isNew ? 'enrolled' : 'updated' }),
      }),
    ),
    onSettled: (outcome) => {
      if (outcome === 'dead-letter') registrations.inc({ result: 'dead-lettered' });
    },
  });
  const health = await startHealthServer({
    port: config.httpPort,
    host: config.httpHost,
    registry,
    checks: consumerServiceChecks(connection, pool, [consumer]),
  });
  logger.info({ httpPort: health.port }, 'enrolling sensors');
  return {
    stopSteps: [
      { name: 'drain consumer', run: () => consumer.drain() },
      { name: 'close broker', run: () => connection.close() },
      { name: 'close pool', run: () => pool.end() },
      { name: 'close health server', run: () => health.close() },
    ],
  };
}

process.exit(await runService({ name: SERVICE, loadConfig: loadRegistryConfig, start }, process));
