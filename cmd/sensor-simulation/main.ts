// sensor-simulation: simulated MQTT accelerometers. Wiring only: flags and environment, the
// logger, provisioning when asked, the fleet, the health server, signals; then the summary.
import { ConfigError, loadConfig } from '../../internal/config/index.js';
import { RabbitAdmin } from '../../internal/pubsub/index.js';
import { provisionSensors } from '../../internal/simulation/index.js';
import {
  createLogger,
  createMetricsRegistry,
  startHealthServer,
} from '../../internal/telemetry/index.js';
import { PROGRAM, parseCli, resolveRun, usageError } from './cli.js';
import { simulationConfig } from './config.js';
import { Fleet } from './fleet.js';
import { registerSimulationMetrics } from './metrics.js';
import { startProgressLog } from './progress.js';
import { buildSummary, writeSummaryFile } from './summary.js';

/** How long a stopping fleet waits for its outboxes to be confirmed. */
const DRAIN_TIMEOUT_MS = 20_000;

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const cli = parseCli(argv);
  if (cli.kind === 'exit') {
    process.stdout.write(cli.stdout);
    process.stderr.write(cli.stderr);
    return cli.code;
  }
  let config;
  try {
    config = loadConfig(env, simulationConfig);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n`);
    return 2;
  }
  const resolved = resolveRun(cli.flags, config);
  if (!resolved.ok) {
    process.stderr.write(usageError(resolved.message).stderr);
    return 2;
  }
  const options = resolved.options;
  const logger = createLogger(PROGRAM, config.logLevel);

  if (options.provision) {
    const { managementUrl, adminUsername, adminPassword } = config;
    if (!managementUrl || !adminUsername || !adminPassword) {
      process.stderr.write(
        `${PROGRAM}: --provision needs IOT_RABBITMQ_MANAGEMENT_URL, ` +
          'IOT_RABBITMQ_ADMIN_USERNAME and IOT_RABBITMQ_ADMIN_PASSWORD\n',
      );
      return 2;
    }
    const admin = new RabbitAdmin({
      url: managementUrl,
      username: adminUsername,
      password: adminPassword,
    });
    try {
      const serials = options.specs.map((s) => s.serial);
      await provisionSensors(admin, serials, config.deviceSecret, logger);
    } catch (error) {
      logger.error({ err: error }, 'provisioning failed');
      return 1;
    }
  }

  const fleet = new Fleet({
    specs: options.specs,
    deviceSecret: config.deviceSecret,
    mqttUrl: config.mqttUrl,
    logger,
    batchIntervalMs: options.batchIntervalMs,
    bufferBatches: options.bufferBatches,
    heartbeatMs: options.heartbeatMs,
    signal: options.signal,
  });
  const registry = createMetricsRegistry(PROGRAM);
  registerSimulationMetrics(registry, () => fleet.sensors);
  const health = await startHealthServer({
    port: config.httpPort,
    registry,
    checks: { sensors: () => fleet.allConnected() },
  });
  logger.info(
    {
      sensors: options.specs.length,
      batchIntervalMs: options.batchIntervalMs,
      bufferBatches: options.bufferBatches,
      durationS: options.durationS,
      httpPort: health.port,
    },
    'starting sensors',
  );
  fleet.start();
  const stopProgress = startProgressLog(fleet.sensors, logger);

  // The first SIGINT/SIGTERM (or the end of --duration) stops gracefully; a second one stops
  // waiting for the outboxes to drain.
  const impatience = new AbortController();
  const reason = await new Promise<string>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: not waiting for the outboxes any longer');
        impatience.abort();
        return;
      }
      stopping = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (options.durationS !== undefined) {
      setTimeout(() => {
        stopping = true;
        resolve('duration elapsed');
      }, options.durationS * 1000).unref();
    }
  });
  logger.info({ reason }, 'stopping');
  stopProgress();
  const { drained } = await fleet.stop({
    timeoutMs: DRAIN_TIMEOUT_MS,
    signal: impatience.signal,
  });
  const summary = buildSummary(fleet.sensors);
  logger.info({ drained, summary }, 'summary');
  await health.close();
  if (options.summaryFile) {
    try {
      await writeSummaryFile(options.summaryFile, summary);
    } catch (error) {
      logger.error({ err: error, file: options.summaryFile }, 'cannot write the summary file');
      return 1;
    }
  }
  return 0;
}

process.exit(await main(process.argv.slice(2), process.env));
