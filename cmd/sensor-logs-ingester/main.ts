// sensor-logs-ingester: sensor.all.logs → sensor_log rows and daily .log files (Alloy → Loki).
// Wiring only; the work is in handlers.ts, log-batch-writer.ts, log-store.ts and log-file.ts.
import { runService, type RunningService } from '../../internal/lifecycle/index.js';
import { AmqpConnection, Consumer, Publisher } from '../../internal/pubsub/index.js';
import { QUEUES } from '../../internal/routing/index.js';
import { consumerServiceChecks, failureOutcome } from '../../internal/sensorlogic/index.js';
import { LastSeen, SensorDirectory, createPool } from '../../internal/storage/index.js';
import {
  createMetricsRegistry,
  startHealthServer,
  type Logger,
} from '../../internal/telemetry/index.js';
import { loadLogsIngesterConfig, type LogsIngesterConfig } from './config.js';
import { createLogLineHandler } from './handlers.js';
import { LogBatchWriter } from './log-batch-writer.js';
import { DailyLogFile } from './log-file.js';
import { PgLogStore } from './log-store.js';
import { createIngesterMetrics } from './metrics.js';

const SERVICE = 'sensor-logs-ingester';
/**
 * How often the sensors heard from are written to last_seen: as often as the measurements
 * ingester does by default (IOT_INGEST_LAST_SEEN_INTERVAL), since online, stale and offline
 * are told apart in seconds.
 */
const LAST_SEEN_INTERVAL_MS = 1_000;

async function start(config: LogsIngesterConfig, logger: Logger): Promise<RunningService> {
  const registry = createMetricsRegistry(SERVICE);
  const metrics = createIngesterMetrics(registry);

  const file = new DailyLogFile(config.sensorLogDir);
  await file.open();
  const pool = createPool(config.databaseUrl, { applicationName: `iot-${SERVICE}`, max: 4 });
  // A sleeping sensor sends no measurements but keeps logging its heartbeat: still online.
  const lastSeen = new LastSeen(pool, LAST_SEEN_INTERVAL_MS, (error) =>
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
    registry,
    queue: QUEUES.logs,
    handler: createLogLineHandler({ writer }),
    publisher,
    logger,
    prefetch: config.prefetch,
    onHandlerError: failureOutcome,
    onSettled: (outcome) => metrics.onSettled(outcome),
  });

  const health = await startHealthServer({
    port: config.httpPort,
    host: config.httpHost,
    registry,
    checks: consumerServiceChecks(connection, pool, [consumer]),
  });
  logger.info(
    { port: health.port, queue: QUEUES.logs, dir: config.sensorLogDir },
    'sensor-logs-ingester started',
  );

  return {
    stopSteps: [
      { name: 'drain consumer', run: () => consumer.drain() },
      { name: 'flush log lines', run: () => writer.close() },
      { name: 'flush last seen', run: () => lastSeen.close() },
      { name: 'close log file', run: () => file.close() },
      { name: 'close broker', run: () => connection.close() },
      { name: 'close pool', run: () => pool.end() },
      { name: 'close health server', run: () => health.close() },
    ],
  };
}

process.exit(
  await runService({ name: SERVICE, loadConfig: loadLogsIngesterConfig, start }, process),
);
