// sensor-alarms: the analytics' feature events (sensor.all.features.alarms) against each
// target's rules, sensors' silence judged on a timer, alarms raised, updated and cleared in
// `alarm` with their history, and the rules' machine actions delivered over gRPC. Wiring only;
// the logic is in handlers.ts, feature-evaluation.ts, fleet-sweep.ts and action-dispatcher.ts.
import { readConfigFile, type Env } from '../../internal/config/index.js';
import { runService, type RunningService } from '../../internal/lifecycle/index.js';
import { MachineControllerClients } from '../../internal/machine/index.js';
import { AmqpConnection, Consumer, Publisher } from '../../internal/pubsub/index.js';
import { consumerServiceChecks, failureOutcome } from '../../internal/sensorlogic/index.js';
import { QUEUES } from '../../internal/routing/index.js';
import { createPool } from '../../internal/storage/index.js';
import {
  createMetricsRegistry,
  startHealthServer,
  type Logger,
} from '../../internal/telemetry/index.js';
import { ActionDispatcher } from './action-dispatcher.js';
import { loadAlarmsConfig } from './config.js';
import { FleetSweep } from './fleet-sweep.js';
import { createFeatureHandler } from './handlers.js';
import { alarmsMetrics } from './metrics.js';

const SERVICE = 'sensor-alarms';

function loadConfigAndCa(env: Env) {
  const config = loadAlarmsConfig(env);
  return { ...config, ca: readConfigFile('IOT_TLS_CA_FILE', config.tlsCaFile) };
}

async function start(
  config: ReturnType<typeof loadConfigAndCa>,
  logger: Logger,
): Promise<RunningService> {
  const registry = createMetricsRegistry(SERVICE);
  const metrics = alarmsMetrics(registry);
  const pool = createPool(config.databaseUrl, { applicationName: SERVICE, max: config.poolSize });
  const clients = new MachineControllerClients(config.ca);
  const dispatcher = new ActionDispatcher({
    pool,
    clients,
    logger,
    metrics,
    deadlineMs: config.actionDeadlineMs,
    attempts: config.actionAttempts,
  });
  const connection = await AmqpConnection.open({ url: config.amqpUrl, logger, name: SERVICE });
  const publisher = await Publisher.create(connection, { logger });
  const consumer = await Consumer.start(connection, {
    registry,
    queue: QUEUES.featuresAlarms,
    publisher,
    logger,
    onHandlerError: failureOutcome,
    prefetch: config.prefetch,
    onSettled: (outcome) => metrics.settled.inc({ outcome }),
    handler: createFeatureHandler({
      pool,
      metrics,
      logger,
      onActionPending: () => dispatcher.kick(),
    }),
  });

  const sweep = new FleetSweep(pool, logger, (change) => {
    metrics.steps.inc({ step: change.step });
    if (change.actionPending) dispatcher.kick();
  });
  let sweeping: Promise<unknown> = Promise.resolve();
  const runSweep = () => {
    sweeping = sweep
      .sweep()
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'fleet sweep failed; next one retries'),
      )
      .finally(() => dispatcher.kick());
  };
  runSweep();
  const timer = setInterval(runSweep, config.sweepIntervalMs);

  const health = await startHealthServer({
    port: config.httpPort,
    host: config.httpHost,
    registry,
    checks: consumerServiceChecks(connection, pool, [consumer]),
  });
  logger.info(
    { httpPort: health.port, sweepIntervalMs: config.sweepIntervalMs },
    'evaluating alarms',
  );
  return {
    stopSteps: [
      { name: 'drain consumer', run: () => consumer.drain() },
      {
        name: 'stop sweep',
        run: async () => {
          clearInterval(timer);
          await sweeping;
        },
      },
      { name: 'stop action dispatcher', run: () => dispatcher.stop() },
      { name: 'close controller channels', run: () => clients.close() },
      { name: 'close broker', run: () => connection.close() },
      { name: 'close pool', run: () => pool.end() },
      { name: 'close health server', run: () => health.close() },
    ],
  };
}

process.exit(await runService({ name: SERVICE, loadConfig: loadConfigAndCa, start }, process));
