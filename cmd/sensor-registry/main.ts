// sensor-registry: enrolls sensors from sensor.all.registry.created. Wiring only.
import { Counter } from 'prom-client';
import {
  ConfigError,
  amqpUrl,
  databaseUrl,
  loadConfig,
  logLevel,
  port,
} from '../../internal/config/index.js';
import { AmqpConnection, Consumer, Publisher, inOrderPerKey } from '../../internal/pubsub/index.js';
import { QUEUES } from '../../internal/routing/index.js';
import { createPool, databaseReady } from '../../internal/storage/index.js';
import {
  createLogger,
  createMetricsRegistry,
  startHealthServer,
} from '../../internal/telemetry/index.js';
import { createRegistrationHandler } from './handlers.js';

const SERVICE = 'sensor-registry';

let config;
try {
  config = loadConfig(process.env, {
    amqpUrl,
    databaseUrl,
    logLevel,
    httpPort: port('IOT_HTTP_PORT', { default: 9104 }),
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${SERVICE}: ${error.message}\n`);
  process.exit(2);
}

const logger = createLogger(SERVICE, config.logLevel);
const registry = createMetricsRegistry(SERVICE);
const registrations = new Counter({
  name: 'iot_registry_registrations_total',
  help: 'Registrations handled, by result (enrolled, updated) and dead-lettered',
  labelNames: ['result'],
  registers: [registry],
});
const pool = createPool(config.databaseUrl, { applicationName: SERVICE, max: 4 });
const connection = await AmqpConnection.open({ url: config.amqpUrl, logger, name: SERVICE });
const publisher = await Publisher.create(connection, { logger });
const consumer = await Consumer.start(connection, {
  queue: QUEUES.registry,
  publisher,
  logger,
  // Many sensors at once (a fleet boots together), each sensor's registrations in order.
  prefetch: 100,
  handler: inOrderPerKey(
    (delivery) => delivery.routingKey,
    createRegistrationHandler({
      pool,
      logger,
      onEnrolled: (_serial, isNew) => registrations.inc({ result: isNew ? 'enrolled' : 'updated' }),
    }),
  ),
  onSettled: (outcome) => {
    if (outcome === 'dead-letter') registrations.inc({ result: 'dead-lettered' });
  },
});
const health = await startHealthServer({
  port: config.httpPort,
  registry,
  checks: {
    broker: () => connection.isConnected,
    database: () => databaseReady(pool),
  },
});
logger.info({ httpPort: health.port }, 'enrolling sensors');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    consumer
      .drain()
      .then(() => connection.close())
      .then(() => pool.end())
      .then(() => health.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'unclean shutdown');
          process.exit(1);
        },
      );
  });
}
