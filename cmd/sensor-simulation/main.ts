// sensor-simulation: simulated MQTT accelerometers. Wiring only: flags and environment, the
// logger, provisioning when asked, the fleet, the health server; runService does the signals
// and the stop: the outboxes drain, then the summary.
import { readFileSync } from 'node:fs';
import { ConfigError, type Env } from '../../internal/config/index.js';
import { runService, type RunningService } from '../../internal/lifecycle/index.js';
import { RabbitAdmin } from '../../internal/pubsub/index.js';
import { provisionSensors } from '../../internal/simulation/index.js';
import {
  createMetricsRegistry,
  startHealthServer,
  type Logger,
} from '../../internal/telemetry/index.js';
import { PROGRAM, parseCli, resolveRun, usageError, type RunOptions } from './cli.js';
import { loadSimulationConfig, type SimulationConfig } from './config.js';
import { RecordingError, loadReplays } from './recording.js';
import { Fleet } from './fleet.js';
import { registerSimulationMetrics } from './metrics.js';
import { startProgressLog } from './progress.js';
import { buildSummary, writeSummaryFile } from './summary.js';

/** How long a stopping fleet waits for its outboxes to be confirmed. */
const DRAIN_TIMEOUT_MS = 20_000;

interface Prepared {
  /** The broker's CA (IOT_TLS_CA_FILE), read once. */
  mqttCa: string | undefined;
  logLevel: SimulationConfig['logLevel'];
  config: SimulationConfig;
  options: RunOptions;
}

/** Flags and environment → what to run, or the exit code of a bad command line (2) or --help. */
function prepare(argv: readonly string[], env: Env): Prepared | number {
  const cli = parseCli(argv);
  if (cli.kind === 'exit') {
    process.stdout.write(cli.stdout);
    process.stderr.write(cli.stderr);
    return cli.code;
  }
  let config;
  try {
    config = loadSimulationConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n`);
    return 2;
  }
  let mqttCa: string | undefined;
  try {
    mqttCa = config.caFile === undefined ? undefined : readFileSync(config.caFile, 'utf8');
  } catch (error) {
    process.stderr.write(`${PROGRAM}: IOT_TLS_CA_FILE: ${(error as Error).message}\n`);
    return 2;
  }
  const resolved = resolveRun(cli.flags, config);
  if (!resolved.ok) {
    process.stderr.write(usageError(resolved.message).stderr);
    return 2;
  }
  let options: RunOptions;
  try {
    options = { ...resolved.options, specs: loadReplays(resolved.options.specs) };
  } catch (error) {
    if (!(error instanceof RecordingError)) throw error;
    process.stderr.write(usageError(error.message).stderr);
    return 2;
  }
  if (options.provision) {
    const { managementUrl, adminUsername, adminPassword } = config;
    if (!managementUrl || !adminUsername || !adminPassword) {
      process.stderr.write(
        `${PROGRAM}: --provision needs IOT_RABBITMQ_MANAGEMENT_URL, ` +
          'IOT_RABBITMQ_ADMIN_USERNAME and IOT_RABBITMQ_ADMIN_PASSWORD\n',
      );
      return 2;
    }
  }
  return { logLevel: config.logLevel, config, options, mqttCa };
}

async function start(
  { config, options, mqttCa }: Prepared,
  logger: Logger,
): Promise<RunningService> {
  if (options.provision) {
    const admin = new RabbitAdmin({
      url: config.managementUrl ?? '',
      username: config.adminUsername ?? '',
      password: config.adminPassword ?? '',
    });
    const serials = options.specs.map((s) => s.serial);
    await provisionSensors(admin, serials, config.deviceSecret, logger);
  }

  const fleet = new Fleet({
    specs: options.specs,
    deviceSecret: config.deviceSecret,
    mqttUrl: config.mqttUrl,
    mqttCa,
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
    host: config.httpHost,
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

  let summary = buildSummary(fleet.sensors);
  const { summaryFile, durationS } = options;
  return {
    // The end of --duration stops like the first signal; a second signal stops waiting for the
    // outboxes to drain (runService aborts the step's signal).
    finished:
      durationS === undefined
        ? undefined
        : new Promise((resolve) =>
            setTimeout(resolve, durationS * 1000, 'duration elapsed').unref(),
          ),
    stopSteps: [
      { name: 'stop progress log', run: () => stopProgress() },
      {
        name: 'drain outboxes',
        async run(signal) {
          const { drained } = await fleet.stop({ timeoutMs: DRAIN_TIMEOUT_MS, signal });
          summary = buildSummary(fleet.sensors);
          logger.info({ drained, summary }, 'summary');
        },
      },
      { name: 'close health server', run: () => health.close() },
      ...(summaryFile === undefined
        ? []
        : [{ name: 'write summary file', run: () => writeSummaryFile(summaryFile, summary) }]),
    ],
  };
}

const prepared = prepare(process.argv.slice(2), process.env);
process.exit(
  typeof prepared === 'number'
    ? prepared
    : await runService({ name: PROGRAM, loadConfig: () => prepared, start }, process),
);
