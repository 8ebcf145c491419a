// The command line: `npx tsx cmd/sensor-simulation/main.ts [flags]`. Parsing is split in two so
// tests can call both halves without a process: `parseCli` reads the flags (commander, with
// exitOverride so nothing exits), `resolveRun` lays them over the IOT_SIM_* defaults from the
// environment and checks what only makes sense together. Every bad input becomes one line
// naming the flag (or variable), printed above the usage line, and exit code 2.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { parseDuration as parseDurationWithUnit } from '../../internal/config/index.js';
import { fleetSerials } from '../../internal/simulation/index.js';
import {
  MAX_BATCH_SAMPLES,
  SERIAL_PATTERN,
  ValidationError,
  validateSampleFrequency,
  validateSerial,
} from '../../internal/validation/index.js';
import { samplesPerBatch } from './batch-clock.js';
import type { SensorSpec } from './device.js';
import type { SignalMode } from './signal.js';

export const PROGRAM = 'sensor-simulation';
export const USAGE =
  `usage: ${PROGRAM} [--sensor SERIAL:HZ[:fixed|mobile]]... [--sensors N] [--frequency HZ]` +
  ' [--serial-prefix P] [--mobile N] [--batch-interval D] [--buffer-batches N] [--heartbeat D]' +
  ' [--summary-file PATH] [--duration S] [--provision] [--signal exact|looped]';

export const MAX_SENSORS = 10_000;
export const MIN_BATCH_INTERVAL_MS = 10;
export const MAX_BATCH_INTERVAL_MS = 60_000;
export const MAX_BUFFER_BATCHES = 1_000_000;

/** What the flags said; undefined where a flag was not given. */
export interface CliFlags {
  sensor?: SensorSpec[];
  sensors?: number;
  frequency?: number;
  serialPrefix?: string;
  mobile?: number;
  batchInterval?: number;
  bufferBatches?: number;
  heartbeat?: number;
  summaryFile?: string;
  duration?: number;
  provision?: boolean;
  signal?: SignalMode;
}

/** The IOT_SIM_* environment (already validated by loadConfig): what flags fall back to. */
export interface SimulationDefaults {
  sensors: number;
  frequencyHz: number;
  serialPrefix: string;
  batchIntervalMs: number;
  bufferBatches: number;
}

export interface RunOptions {
  specs: SensorSpec[];
  batchIntervalMs: number;
  bufferBatches: number;
  heartbeatMs: number;
  summaryFile: string | undefined;
  /** Stop by itself after this many seconds; undefined runs until a signal. */
  durationS: number | undefined;
  provision: boolean;
  signal: SignalMode;
}

export type CliResult =
  | { kind: 'flags'; flags: CliFlags }
  | { kind: 'exit'; code: 0 | 2; stdout: string; stderr: string };

export const DEFAULT_HEARTBEAT_MS = 10_000;

const invalid = (message: string) => new InvalidArgumentError(message);

function positiveInteger(max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw)) throw invalid('Must be a whole number.');
    const n = Number(raw);
    if (n < 1 || n > max) throw invalid(`Must be 1-${max}.`);
    return n;
  };
}

function wholeNumber(raw: string): number {
  if (!/^\d+$/.test(raw)) throw invalid('Must be a whole number.');
  return Number(raw);
}

function hertz(raw: string): number {
  if (!/^\d+(\.\d+)?$/.test(raw)) throw invalid('Must be a number of Hz.');
  return fromValidation(() => validateSampleFrequency(Number(raw)));
}

/**
 * `250ms`, `1.5s`, `2m`, `1h30m` (internal/config's syntax); the unit is required so `10` is
 * never ambiguous.
 */
export function parseDuration(raw: string, minMs: number, maxMs: number): number {
  const ms = parseDurationWithUnit(raw);
  if (ms === undefined) throw invalid('Must be a duration with a unit (e.g. 500ms, 1s, 2m).');
  if (ms < minMs || ms > maxMs) throw invalid(`Must be ${minMs}ms-${maxMs / 1000}s.`);
  return ms;
}

function seconds(raw: string): number {
  if (!/^\d+(\.\d+)?$/.test(raw)) throw invalid('Must be a number of seconds.');
  const s = Number(raw);
  if (s <= 0 || s > 365 * 86_400) throw invalid('Must be more than 0 and at most a year.');
  return s;
}

/** `SERIAL:HZ[:fixed|mobile]`, repeatable. */
export function parseSensorSpec(raw: string, previous: SensorSpec[] = []): SensorSpec[] {
  const parts = raw.split(':');
  if (parts.length < 2 || parts.length > 3) throw invalid('Must be SERIAL:HZ[:fixed|mobile].');
  const [serial, hz, mount = 'fixed'] = parts as [string, string, string?];
  if (mount !== 'fixed' && mount !== 'mobile') throw invalid('Mount must be fixed or mobile.');
  const spec: SensorSpec = {
    serial: fromValidation(() => validateSerial(serial)),
    sampleRateHz: hertz(hz),
    mount,
  };
  if (previous.some((p) => p.serial === spec.serial)) {
    throw invalid(`Serial ${spec.serial} is given twice.`);
  }
  return [...previous, spec];
}

function serialPrefix(raw: string): string {
  if (!/^[A-Za-z0-9-]{1,26}$/.test(raw) || !/[A-Za-z]/.test(raw)) {
    throw invalid('Must be 1-26 of A-Z a-z 0-9 -, with at least one letter.');
  }
  return raw;
}

function fromValidation<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ValidationError) {
      // "serial: … is not a serial number" → "… is not a serial number."
      throw invalid(`${capitalize(error.message.slice(error.field.length + 2))}.`);
    }
    throw error;
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function buildProgram(): Command {
  return new Command(PROGRAM)
    .description(
      'Simulated MQTT accelerometers: one process, one broker connection per sensor. ' +
        'Flags override the IOT_SIM_* environment.',
    )
    .usage('[options]')
    .option(
      '--sensor <SERIAL:HZ[:fixed|mobile]>',
      'an explicit sensor (repeatable); replaces the generated fleet',
      parseSensorSpec,
    )
    .option('--sensors <n>', 'fleet size (IOT_SIM_SENSORS)', positiveInteger(MAX_SENSORS))
    .option('--frequency <hz>', "fleet's sample rate (IOT_SIM_FREQUENCY_HZ)", hertz)
    .option('--serial-prefix <p>', 'fleet serials P-0001 ... (IOT_SIM_SERIAL_PREFIX)', serialPrefix)
    .option('--mobile <n>', 'the first N of the fleet ride vehicles (default 0)', wholeNumber)
    .option(
      '--batch-interval <duration>',
      'measurement batch length (IOT_SIM_BATCH_INTERVAL)',
      (raw) => parseDuration(raw, MIN_BATCH_INTERVAL_MS, MAX_BATCH_INTERVAL_MS),
    )
    .option(
      '--buffer-batches <n>',
      'outbox size in batches per sensor (IOT_SIM_BUFFER_BATCHES)',
      positiveInteger(MAX_BUFFER_BATCHES),
    )
    .option('--heartbeat <duration>', 'heartbeat log line interval (default 10s)', (raw) =>
      parseDuration(raw, 1000, 3_600_000),
    )
    .option('--summary-file <path>', 'write the JSON summary here on exit (atomically)')
    .option('--duration <seconds>', 'stop by itself after this many seconds', seconds)
    .option('--provision', 'create each sensor’s broker user first (management API)')
    .option(
      '--signal <mode>',
      'exact (computed per sample, the default) or looped (a 2 s recording, for benchmarks)',
      (raw): SignalMode => {
        if (raw !== 'exact' && raw !== 'looped') throw invalid('Must be exact or looped.');
        return raw;
      },
    )
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(true) // refused below, naming the argument
    .exitOverride();
}

/** Reads the flags. Never exits: help and errors come back as text and an exit code. */
export function parseCli(argv: readonly string[]): CliResult {
  let stdout = '';
  let stderr = '';
  const program = buildProgram().configureOutput({
    writeOut: (s) => (stdout += s),
    writeErr: (s) => (stderr += s),
    outputError: () => {}, // reported below, as one line above the usage
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
  return { kind: 'flags', flags: program.opts<CliFlags>() };
}

export function usageError(message: string): CliResult & { kind: 'exit' } {
  return { kind: 'exit', code: 2, stdout: '', stderr: `${PROGRAM}: ${message}\n${USAGE}\n` };
}

/** Flags over the environment's defaults, checked as a whole; an error names the flag. */
export function resolveRun(
  flags: CliFlags,
  defaults: SimulationDefaults,
): { ok: true; options: RunOptions } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message });
  let specs: SensorSpec[];
  if (flags.sensor !== undefined) {
    const fleetFlags = (['sensors', 'frequency', 'serialPrefix', 'mobile'] as const).filter(
      (f) => flags[f] !== undefined,
    );
    if (fleetFlags.length > 0) {
      const names = fleetFlags.map((f) => `--${f === 'serialPrefix' ? 'serial-prefix' : f}`);
      return fail(`--sensor cannot be combined with ${names.join(', ')}`);
    }
    specs = flags.sensor;
  } else {
    const count = flags.sensors ?? defaults.sensors;
    const mobile = flags.mobile ?? 0;
    if (mobile > count) return fail(`--mobile ${mobile} is more than the ${count} sensors`);
    const prefix = flags.serialPrefix ?? defaults.serialPrefix;
    specs = [];
    for (const [index, serial] of fleetSerials(prefix, count).entries()) {
      const i = index + 1;
      if (!SERIAL_PATTERN.test(serial)) {
        return fail(`--serial-prefix ${prefix} makes serial ${serial}, which is too long`);
      }
      specs.push({
        serial,
        sampleRateHz: flags.frequency ?? defaults.frequencyHz,
        mount: i <= mobile ? 'mobile' : 'fixed',
      });
    }
  }
  const batchIntervalMs = flags.batchInterval ?? defaults.batchIntervalMs;
  const fastest = Math.max(...specs.map((s) => s.sampleRateHz));
  if (samplesPerBatch(fastest, batchIntervalMs) > MAX_BATCH_SAMPLES) {
    return fail(
      `--batch-interval ${batchIntervalMs}ms makes batches of more than ${MAX_BATCH_SAMPLES} ` +
        `samples at ${fastest} Hz`,
    );
  }
  return {
    ok: true,
    options: {
      specs,
      batchIntervalMs,
      bufferBatches: flags.bufferBatches ?? defaults.bufferBatches,
      heartbeatMs: flags.heartbeat ?? DEFAULT_HEARTBEAT_MS,
      summaryFile: flags.summaryFile,
      durationS: flags.duration,
      provision: flags.provision ?? false,
      signal: flags.signal ?? 'exact',
    },
  };
}
