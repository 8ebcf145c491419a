// The one lifecycle every service shares: load the config (a ConfigError exits 2), start,
// then on the first SIGINT/SIGTERM run the service's stop steps in order (stop consuming and
// drain, flush, close the broker, the pool, the health server) under one deadline: 0 when
// they all finished, 1 when one failed, the start failed or the deadline passed. The runner
// never calls process.exit: it resolves the exit code and main.ts exits with it.
import { ConfigError, type Env, type LogLevel } from '../config/index.js';
import { createLogger, type Logger } from '../telemetry/index.js';

/**
 * How long the stop steps may take in all. Kubernetes sends SIGKILL 30 s after SIGTERM (the
 * default terminationGracePeriodSeconds) and bench/ and the test launchers wait as long; 25 s
 * leaves room to log why we gave up and exit 1 ourselves.
 */
export const STOP_DEADLINE_MS = 25_000;

/** What a config error and a failed run exit with (0 is a clean stop). */
export const EXIT_CODES = { ok: 0, failed: 1, config: 2 } as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export interface StopStep {
  /** Named in the log lines: `drain consumers`, `close pool`… */
  readonly name: string;
  /**
   * `signal` aborts on a second SIGINT/SIGTERM or at the deadline: a step that waits for
   * something optional (the simulator's outboxes) can stop waiting.
   */
  run(signal: AbortSignal): Promise<unknown> | void;
}

export interface RunningService {
  /** Run in this order when the service stops; a failed step does not skip the others. */
  readonly stopSteps: readonly StopStep[];
  /** Resolves (with the reason) when the service ends by itself, e.g. after `--duration`. */
  readonly finished?: Promise<string>;
}

export interface ServiceDefinition<C extends { logLevel: LogLevel }> {
  readonly name: string;
  /** The environment → the typed config; throws ConfigError (exit 2) on a bad one. */
  loadConfig(env: Env): C;
  start(config: C, logger: Logger): Promise<RunningService>;
  /** STOP_DEADLINE_MS unless the service has a reason for another. */
  readonly stopDeadlineMs?: number;
  /** The logger, given the config (tests pass a silent one); createLogger by default. */
  createLogger?(name: string, config: C): Logger;
}

/** The parts of `process` the runner uses, so tests hand in their own. */
export interface ServiceProcess {
  readonly env: Env;
  readonly stderr: { write(text: string): unknown };
  on(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Runs a service from start to exit code; main.ts does `process.exit(await runService(…))`. */
export async function runService<C extends { logLevel: LogLevel }>(
  definition: ServiceDefinition<C>,
  proc: ServiceProcess,
): Promise<ExitCode> {
  let config: C;
  try {
    config = definition.loadConfig(proc.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    proc.stderr.write(`${definition.name}: ${error.message}\n`);
    return EXIT_CODES.config;
  }
  const logger = definition.createLogger
    ? definition.createLogger(definition.name, config)
    : createLogger(definition.name, config.logLevel);

  let running: RunningService;
  try {
    running = await definition.start(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, `${definition.name} failed to start`);
    return EXIT_CODES.failed;
  }

  const impatience = new AbortController();
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const reason = await new Promise<string>((resolve) => {
    let stopping = false;
    onSignal = (signal) => {
      if (!stopping) {
        stopping = true;
        resolve(signal);
      } else if (!impatience.signal.aborted) {
        logger.warn({ signal }, 'second signal: not waiting for optional work any longer');
        impatience.abort();
      }
    };
    for (const signal of STOP_SIGNALS) proc.on(signal, onSignal);
    void running.finished?.then((why) => {
      stopping = true;
      resolve(why);
    });
  });

  try {
    return await stop(running.stopSteps, {
      reason,
      logger,
      impatience,
      deadlineMs: definition.stopDeadlineMs ?? STOP_DEADLINE_MS,
    });
  } finally {
    for (const signal of STOP_SIGNALS) proc.off(signal, onSignal);
  }
}

async function stop(
  steps: readonly StopStep[],
  options: { reason: string; logger: Logger; impatience: AbortController; deadlineMs: number },
): Promise<ExitCode> {
  const { reason, logger, impatience, deadlineMs } = options;
  logger.info({ reason, deadlineMs }, 'stopping');
  let current = '';
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineMs);
  });
  const allSteps = (async () => {
    let failed = false;
    for (const step of steps) {
      current = step.name;
      try {
        await step.run(impatience.signal);
      } catch (error) {
        failed = true;
        logger.error({ err: error, step: step.name }, 'stop step failed');
      }
    }
    return failed ? 'failed' : 'stopped';
  })();
  try {
    const outcome = await Promise.race([allSteps, deadline]);
    if (outcome === 'deadline') {
      impatience.abort();
      logger.error({ deadlineMs, step: current }, 'stop deadline exceeded; exiting anyway');
      return EXIT_CODES.failed;
    }
    if (outcome === 'failed') {
      logger.error('unclean shutdown');
      return EXIT_CODES.failed;
    }
    logger.info('stopped');
    return EXIT_CODES.ok;
  } finally {
    clearTimeout(timer);
  }
}
