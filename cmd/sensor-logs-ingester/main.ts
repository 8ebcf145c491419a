// sensor-logs-ingester: sensor.all.logs → sensor_log rows and daily .log files (Alloy → Loki).
// Wiring only; the work is in handlers.ts, log-batch-writer.ts, log-store.ts and log-file.ts.
import { ConfigError } from '../../internal/config/index.js';
import { AmqpConnection, Consumer, Publisher } from '../../internal/pubsub/index.js';
import { QUEUES } from '../../internal/routing/index.js';
import {
  LastSeen,
  SensorDirectory,
  createPool,
  databaseReady,
} from '../../internal/storage/index.js';
import {
  createLogger,
  createMetricsRegistry,
  startHealthServer,
} from '../../internal/telemetry/index.js';
import { loadConfig, type Config } from './config.js';
import { createLogLineHandler } from './handlers.js';
import { LogBatchWriter } from './log-batch-writer.js';
import { DailyLogFile } from './log-file.js';
import { PgLogStore } from './log-store.js';
import { createIngesterMetrics } from './metrics.js';

const SERVICE = 'sensor-logs-ingester';

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${SERVICE}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(SERVICE, config.logLevel);
  try {
    return await run(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'sensor-logs-ingester failed');
    return 1;
  }
}

async function run(config: Config, logger: ReturnType<typeof createLogger>): Promise<number> {
  const registry = createMetricsRegistry(SERVICE);
  const metrics = createIngesterMetrics(registry);

  const file = new DailyLogFile(config.sensorLogDir);
  await file.open();
  const pool = createPool(config.databaseUrl, { applicationName: `iot-${SERVICE}`, max: 4 });
  // A sleeping sensor sends no measurements but keeps logging its heartbeat: still online.
  const lastSeen = new LastSeen(pool, 1_000, (error) =>
    logger.warn({ err: error }, 'could not record last_seen'),
  );
  lastSeen.start();
  const writer = new LogBatchWriter({
    directory: new SensorDirectory(pool),
    store: new PgLogStore(pool),
    file,
    logger,
    maxRows: config.batchRows,
    flushIntervalMs: config.flushIntervalMs,
    unknownSerialTimeoutMs: config.unknownSerialTimeoutMs,
    onBatch: (report) => metrics.onBatch(report),
    onSeen: (sensorId, atMs) => lastSeen.seen(sensorId, atMs),
  });

  const connection = await AmqpConnection.open({ url: config.amqpUrl, logger, name: SERVICE });
  const publisher = await Publisher.create(connection, { logger });
  const consumer = await Consumer.start(connection, {
    queue: QUEUES.logs,
    handler: createLogLineHandler({ writer }),
    publisher,
    logger,
    prefetch: config.prefetch,
    onSettled: (outcome) => metrics.onSettled(outcome),
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
    { port: health.port, queue: QUEUES.logs, dir: config.sensorLogDir },
    'sensor-logs-ingester started',
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info({ signal }, 'shutting down');
  await consumer.drain();
  await writer.close();
  await lastSeen.close();
  await file.close();
  await health.close();
  await pool.end();
  await connection.close();
  logger.info('stopped');
  return 0;
}

process.exit(await main());
