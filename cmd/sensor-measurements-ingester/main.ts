// sensor-measurements-ingester: measurement batches and GPS fixes from the broker into
// PostgreSQL, exactly once. Wiring only; the logic is in handlers.ts and the writers.
import { ConfigError } from '../../internal/config/index.js';
import { AmqpConnection, Consumer, Publisher } from '../../internal/pubsub/index.js';
import { QUEUES } from '../../internal/routing/index.js';
import {
  SensorDirectory,
  createPool,
  databaseReady,
  LastSeen,
  RawRetention,
} from '../../internal/storage/index.js';
import {
  createLogger,
  createMetricsRegistry,
  startHealthServer,
} from '../../internal/telemetry/index.js';
import { loadIngesterConfig, type IngesterConfig } from './config.js';
import { createIngestHandlers } from './handlers.js';
import { ingesterMetrics } from './metrics.js';

const SERVICE = 'sensor-measurements-ingester';

let config: IngesterConfig;
try {
  config = loadIngesterConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${SERVICE}: ${error.message}\n`);
  process.exit(2);
}

const logger = createLogger(SERVICE, config.logLevel);
const registry = createMetricsRegistry(SERVICE);
const metrics = ingesterMetrics(registry);
const pool = createPool(config.databaseUrl, { applicationName: SERVICE, max: config.poolSize });
const connection = await AmqpConnection.open({ url: config.amqpUrl, logger, name: SERVICE });
const publisher = await Publisher.create(connection, { logger });
const lastSeen = new LastSeen(pool, config.lastSeenIntervalMs, (error) =>
  logger.warn({ err: error }, 'last-seen update failed; will retry'),
);
lastSeen.start();
const retention = new RawRetention(pool, {
  retentionMs: config.rawRetentionMs,
  onDeleted: (blocks) => logger.info({ blocks }, 'expired raw blocks deleted'),
  onError: (error) => logger.warn({ err: error }, 'raw block retention failed; will retry'),
});
retention.start();

const handlers = createIngestHandlers({
  pool,
  directory: new SensorDirectory(pool),
  lastSeen,
  metrics,
  logger,
  batchRows: config.batchRows,
  flushIntervalMs: config.flushIntervalMs,
  unknownSerialTimeoutMs: config.unknownSerialTimeoutMs,
});

const consumers = await Promise.all(
  [
    [QUEUES.measurementsDbWriter, handlers.measurementHandler] as const,
    [QUEUES.locationsDbWriter, handlers.locationHandler] as const,
  ].map(([queue, handler]) =>
    Consumer.start(connection, {
      queue,
      handler,
      publisher,
      logger,
      prefetch: config.prefetch,
      onSettled: (outcome) => metrics.settled.inc({ queue, outcome }),
    }),
  ),
);

const health = await startHealthServer({
  port: config.httpPort,
  registry,
  checks: {
    broker: () => connection.isConnected,
    database: () => databaseReady(pool),
  },
});
logger.info({ httpPort: health.port, prefetch: config.prefetch }, 'ingesting');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: draining consumers');
  // Stop taking messages; in-flight ones finish with their group's commit, then get acked.
  await Promise.all(consumers.map((c) => c.drain()));
  await handlers.close();
  await retention.close();
  await lastSeen.close();
  await connection.close();
  await pool.end();
  await health.close();
  logger.info('stopped');
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  });
}
