// sensor-analytics: every measurement batch, from its own queue (it never slows ingestion),
// into windows of features, a learned baseline and the latest spectra in PostgreSQL, and a
// FeatureEvent per window on sensor.<serial>.features. Wiring only; the logic is in
// handlers.ts and sensor-analysis.ts.
import { ConfigError } from '../../internal/config/index.js';
import { AmqpConnection, Consumer, Publisher } from '../../internal/pubsub/index.js';
import { QUEUES } from '../../internal/routing/index.js';
import { SensorDirectory, createPool, databaseReady } from '../../internal/storage/index.js';
import {
  createLogger,
  createMetricsRegistry,
  startHealthServer,
} from '../../internal/telemetry/index.js';
import { loadAnalyticsConfig, type AnalyticsConfig } from './config.js';
import { createAnalyticsHandler } from './handlers.js';
import { MachineDirectory } from './machine-directory.js';
import { analyticsMetrics } from './metrics.js';

const SERVICE = 'sensor-analytics';

let config: AnalyticsConfig;
try {
  config = loadAnalyticsConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${SERVICE}: ${error.message}\n`);
  process.exit(2);
}

const logger = createLogger(SERVICE, config.logLevel);
const registry = createMetricsRegistry(SERVICE);
const metrics = analyticsMetrics(registry);
const pool = createPool(config.databaseUrl, { applicationName: SERVICE, max: config.poolSize });
const connection = await AmqpConnection.open({ url: config.amqpUrl, logger, name: SERVICE });
const publisher = await Publisher.create(connection, { logger });
const queue = QUEUES.measurementsAnalytics;

const consumer = await Consumer.start(connection, {
  queue,
  publisher,
  logger,
  prefetch: config.prefetch,
  onSettled: (outcome) => metrics.settled.inc({ outcome }),
  handler: createAnalyticsHandler({
    pool,
    directory: new SensorDirectory(pool),
    machines: new MachineDirectory(pool, (sensorId, error) =>
      logger.warn({ err: error, sensorId }, 'target parameters refused; analysing without them'),
    ),
    publisher,
    metrics,
    logger,
    settings: {
      windowLength:
        config.windowMs === undefined ? { kind: 'batch' } : { kind: 'ms', ms: config.windowMs },
      baselineWindows: config.baselineWindows,
    },
    unknownSerialTimeoutMs: config.unknownSerialTimeoutMs,
  }),
});

const health = await startHealthServer({
  port: config.httpPort,
  registry,
  checks: {
    broker: () => connection.isConnected,
    database: () => databaseReady(pool),
  },
});
logger.info(
  { httpPort: health.port, prefetch: config.prefetch, windowMs: config.windowMs ?? 'batch' },
  'analysing',
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: draining the consumer');
  // Stop taking messages; the batches in flight commit, publish and are acked first.
  await consumer.drain();
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
