// sensor-measurements-ingester: measurement batches and GPS fixes from the broker into
// PostgreSQL, exactly once. Wiring only; the logic is in handlers.ts and the writers.
import { runService, type RunningService } from '../../internal/lifecycle/index.js';
import { AmqpConnection, Consumer, Publisher } from '../../internal/pubsub/index.js';
import { QUEUES } from '../../internal/routing/index.js';
import { consumerServiceChecks, failureOutcome } from '../../internal/sensorlogic/index.js';
import {
  SensorDirectory,
  createPool,
  LastSeen,
  RawRetention,
} from '../../internal/storage/index.js';
import {
  createMetricsRegistry,
  startHealthServer,
  type Logger,
} from '../../internal/telemetry/index.js';
import { loadMeasurementsIngesterConfig, type MeasurementsIngesterConfig } from './config.js';
import { createIngestHandlers } from './handlers.js';
import { ingesterMetrics } from './metrics.js';

const SERVICE = 'sensor-measurements-ingester';

async function start(config: MeasurementsIngesterConfig, logger: Logger): Promise<RunningService> {
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
        registry,
        queue,
        handler,
        publisher,
        logger,
        prefetch: config.prefetch,
        onHandlerError: failureOutcome,
        onSettled: (outcome) => metrics.settled.inc({ queue, outcome }),
      }),
    ),
  );

  const health = await startHealthServer({
    port: config.httpPort,
    host: config.httpHost,
    registry,
    checks: consumerServiceChecks(connection, pool, consumers),
  });
  logger.info({ httpPort: health.port, prefetch: config.prefetch }, 'ingesting');
  return {
    stopSteps: [
      // Stop taking messages; in-flight ones finish with their group's commit, then get acked.
      { name: 'drain consumers', run: () => Promise.all(consumers.map((c) => c.drain())) },
      { name: 'flush writers', run: () => handlers.close() },
      { name: 'stop raw retention', run: () => retention.close() },
      { name: 'flush last seen', run: () => lastSeen.close() },
      { name: 'close broker', run: () => connection.close() },
      { name: 'close pool', run: () => pool.end() },
      { name: 'close health server', run: () => health.close() },
    ],
  };
}

process.exit(
  await runService({ name: SERVICE, loadConfig: loadMeasurementsIngesterConfig, start }, process),
);
