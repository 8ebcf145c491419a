// The command line of `npm run bench`: a named scenario, any of whose numbers a flag can
// override. Parsing never exits: a bad flag comes back as one line plus the usage, exit 2.
import { Command, CommanderError, InvalidArgumentError } from 'commander';

export const PROGRAM = 'bench';
export const USAGE =
  `usage: npm run bench -- [--scenario nominal|high|fleet|max|smoke] [--sensors N]` +
  ' [--frequency HZ] [--duration S] [--warmup S] [--replicas N] [--batch-interval S]' +
  ' [--history S] [--analytics N]';

/**
 * nominal: a plant's worth of 1 kHz sensors. high: 2 M samples/s of 10 kHz sensors. fleet:
 * many slow sensors, one MQTT connection each (connections, not samples, are the load). max:
 * runs of 10 kHz sensors from `sensors` up by `sensors` more each step, until the platform
 * stops keeping up (see max.ts). smoke: the integration test's.
 */
export const SCENARIOS = {
  nominal: { sensors: 50, frequencyHz: 1_000, durationS: 30, warmupS: 5, batchIntervalS: 1 },
  high: { sensors: 200, frequencyHz: 10_000, durationS: 30, warmupS: 5, batchIntervalS: 1 },
  // Slow sensors send a block every 10 s (100 samples), not ten samples a second: the broker
  // then carries connections, not a message per sensor per second.
  fleet: { sensors: 5_000, frequencyHz: 10, durationS: 60, warmupS: 20, batchIntervalS: 10 },
  // A longer warm-up: each step's new sensors wait for enrolment, a backlog that is start-up.
  max: { sensors: 100, frequencyHz: 10_000, durationS: 30, warmupS: 15, batchIntervalS: 1 },
  smoke: { sensors: 2, frequencyHz: 200, durationS: 3, warmupS: 1, batchIntervalS: 1 },
} as const;
export type ScenarioName = keyof typeof SCENARIOS;

export interface BenchOptions {
  scenario: ScenarioName;
  sensors: number;
  frequencyHz: number;
  /** How long the simulator runs. */
  durationS: number;
  /** The first seconds of the run, left out of the steady-state rate. */
  warmupS: number;
  replicas: number;
  /** sensor-analytics replicas run beside the ingesters (0: none, the ingest alone). */
  analytics: number;
  /** Seconds of samples in one batch (one message, one stored block). */
  batchIntervalS: number;
  /** Seconds of earlier blocks per sensor written before the read-back (a full table). */
  historyS: number;
}

export type ParseResult =
  | { kind: 'options'; options: BenchOptions }
  | { kind: 'exit'; code: 0 | 2; stdout: string; stderr: string };

function integerIn(min: number, max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw)) throw new InvalidArgumentError('Must be a whole number.');
    const n = Number(raw);
    if (n < min || n > max) throw new InvalidArgumentError(`Must be ${min}-${max}.`);
    return n;
  };
}

function secondsIn(min: number, max: number) {
  return (raw: string): number => {
    if (!/^\d+(\.\d+)?$/.test(raw)) throw new InvalidArgumentError('Must be a number of seconds.');
    const s = Number(raw);
    if (s < min || s > max) throw new InvalidArgumentError(`Must be ${min}-${max} seconds.`);
    return s;
  };
}

function scenario(raw: string): ScenarioName {
  if (!Object.hasOwn(SCENARIOS, raw)) {
    throw new InvalidArgumentError(`Must be one of ${Object.keys(SCENARIOS).join(', ')}.`);
  }
  return raw as ScenarioName;
}

interface Flags {
  scenario?: ScenarioName;
  sensors?: number;
  frequency?: number;
  duration?: number;
  warmup?: number;
  replicas?: number;
  history?: number;
  batchInterval?: number;
  analytics?: number;
}

function buildProgram(): Command {
  return new Command(PROGRAM)
    .description('Ingest benchmark: simulated sensors → RabbitMQ → ingester(s) → PostgreSQL.')
    .usage('[options]')
    .option('--scenario <name>', 'nominal, high, fleet, max or smoke (default nominal)', scenario)
    .option('--sensors <n>', 'simulated sensors', integerIn(1, 10_000))
    .option('--frequency <hz>', 'samples per second per sensor', integerIn(1, 25_600))
    .option('--duration <s>', 'how long the sensors send (default 30, smoke 3)', secondsIn(1, 3600))
    .option(
      '--warmup <s>',
      'seconds left out of the steady-state rate (default 5, smoke 1)',
      secondsIn(0, 3600),
    )
    .option('--replicas <n>', 'ingester processes (default 1)', integerIn(1, 32))
    .option(
      '--batch-interval <s>',
      'seconds of samples per batch (default 1, fleet 10)',
      integerIn(1, 60),
    )
    .option('--analytics <n>', 'sensor-analytics replicas to run too (default 0)', integerIn(0, 32))
    .option(
      '--history <s>',
      'seconds of earlier blocks per sensor to read back against (default 0)',
      integerIn(0, 86_400),
    )
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(true)
    .exitOverride();
}

export function parseOptions(argv: readonly string[]): ParseResult {
  let stdout = '';
  let stderr = '';
  const program = buildProgram().configureOutput({
    writeOut: (s) => (stdout += s),
    writeErr: (s) => (stderr += s),
    outputError: () => {},
  });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return { kind: 'exit', code: 0, stdout, stderr };
    return usageError(error.message.replace(/^error: /, ''));
  }
  const [extra] = program.args;
  if (extra !== undefined) return usageError(`unexpected argument '${extra}'`);
  const flags = program.opts<Flags>();
  const name = flags.scenario ?? 'nominal';
  const base = SCENARIOS[name];
  const options: BenchOptions = {
    scenario: name,
    sensors: flags.sensors ?? base.sensors,
    frequencyHz: flags.frequency ?? base.frequencyHz,
    durationS: flags.duration ?? base.durationS,
    warmupS: flags.warmup ?? base.warmupS,
    replicas: flags.replicas ?? 1,
    historyS: flags.history ?? 0,
    analytics: flags.analytics ?? 0,
    batchIntervalS: flags.batchInterval ?? base.batchIntervalS,
  };
  if (options.warmupS >= options.durationS) {
    return usageError(
      `--warmup ${options.warmupS} leaves no steady state in a ${options.durationS} s run`,
    );
  }
  return { kind: 'options', options };
}

function usageError(message: string): ParseResult & { kind: 'exit' } {
  return { kind: 'exit', code: 2, stdout: '', stderr: `${PROGRAM}: ${message}\n${USAGE}\n` };
}
