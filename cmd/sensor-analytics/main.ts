// sensor-analytics: every measurement batch, from its own queue (it never slows ingestion),
// into windows of features, a learned baseline and the latest spectra in PostgreSQL, and a
// FeatureEvent per window on sensor.<serial>.features. Wiring only; the logic is in
// handlers.ts and sensor-analysis.ts.
import { runService, type RunningService } from '../../internal/lifecycle/index.js';
import { AmqpConnection, Consumer, Publisher } from '../../internal/pubsub/index.js';
import { consumerServiceChecks, failureOutcome } from '../../internal/sensorlogic/index.js';
import { QUEUES } from '../../internal/routing/index.js';
import { SensorDirectory, createPool } from '../../internal/storage/index.js';
import {
  createMetricsRegistry,
  startHealthServer,
  type Logger,
} from '../../internal/telemetry/index.js';
import { loadAnalyticsConfig, type AnalyticsConfig } from './config.js';
import { createAnalyticsHandler } from './handlers.js';
import { MachineDirectory } from './machine-directory.js';
import { RecomputeWorker } from './recompute-worker.js';
import { analyticsMetrics } from './metrics.js';

const SERVICE = 'sensor-analytics';

async function start(config: AnalyticsConfig, logger: Logger): Promise<RunningService> {
  const registry = createMetricsRegistry(SERVICE);
  const metrics = analyticsMetrics(registry);
  const pool = createPool(config.databaseUrl, { applicationName: SERVICE, max: config.poolSize });
  const connection = await AmqpConnection.open({ url: config.amqpUrl, logger, name: SERVICE });
  const publisher = await Publisher.create(connection, { logger });

  const machines = new MachineDirectory(pool, (sensorId, error) =>
    logger.warn({ err: error, sensorId }, 'target parameters refused; analysing without them'),
  );
  const settings = {
    windowLength:
      config.windowMs === undefined
        ? ({ kind: 'batch' } as const)
        : ({ kind: 'ms', ms: config.windowMs } as const),
    baselineWindows: config.baselineWindows,
  };
  const consumer = await Consumer.start(connection, {
    registry,
    queue: QUEUES.measurementsAnalytics,
    publisher,
    logger,
    onHandlerError: failureOutcome,
    prefetch: config.prefetch,
    onSettled: (outcome) => metrics.settled.inc({ outcome }),
    handler: createAnalyticsHandler({
      pool,
      directory: new SensorDirectory(pool),
      machines,
      publisher,
      metrics,
      logger,
      settings,
      unknownSerialTimeoutMs: config.unknownSerialTimeoutMs,
    }),
  });

  // Rebuilds features from the stored blocks on request (iotctl features recompute).
  const recomputes = new RecomputeWorker({
    pool,
    machines,
    settings,
    logger,
    onFinished: (status, result) => {
      metrics.recomputes.inc({ status });
      if (result) metrics.recomputedWindows.inc(result.windows);
    },
  });
  recomputes.start();

  const health = await startHealthServer({
    port: config.httpPort,
    host: config.httpHost,
    registry,
    checks: consumerServiceChecks(connection, pool, [consumer]),
  });
  logger.info(
    { httpPort: health.port, prefetch: config.prefetch, windowMs: config.windowMs ?? 'batch' },
    'analysing',
  );
  return {
    stopSteps: [
      // Stop taking messages; the batches in flight commit, publish and are acked first.
      { name: 'drain consumer', run: () => consumer.drain() },
      { name: 'finish recompute', run: () => recomputes.stop() },
      { name: 'close broker', run: () => connection.close() },
      { name: 'close pool', run: () => pool.end() },
      { name: 'close health server', run: () => health.close() },
    ],
  };
}

process.exit(await runService({ name: SERVICE, loadConfig: loadAnalyticsConfig, start }, process));
