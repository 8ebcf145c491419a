// The command line: `npx tsx cmd/sensor-simulation/main.ts [flags]`. Parsing is split in two so
// tests can call both halves without a process: `parseCli` reads the flags (commander, with
// exitOverride so nothing exits), `resolveRun` lays them over the IOT_SIM_* defaults from the
// environment and checks what only makes sense together. Every bad input becomes one line
// naming the flag (or variable), printed above the usage line, and exit code 2.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { parseDuration as parseDurationWithUnit } from '../../internal/config/index.js';
import { fleetSerials } from '../../internal/simulation/index.js';
import {
  InvalidMachineError,
  validateMachine,
  type BearingGeometry,
  type SyntheticFaultKind,
} from '../../internal/vibration/index.js';
import {
  MAX_BATCH_SAMPLES,
  SERIAL_PATTERN,
  ValidationError,
  validateSampleFrequency,
  validateSerial,
} from '../../internal/validation/index.js';
import { samplesPerBatch } from './batch-clock.js';
import type { SensorSpec } from './device.js';
import { FAULT_KINDS, type FaultSpec, type MachineSpec } from './machine-signal.js';
import type { ReplaySegment } from './replay-signal.js';
import type { SignalMode } from './signal.js';

export const PROGRAM = 'sensor-simulation';
export const USAGE =
  `usage: ${PROGRAM} [--sensor SERIAL:HZ[:fixed|mobile]]... [--sensors N] [--frequency HZ]` +
  ' [--serial-prefix P] [--mobile N] [--batch-interval D] [--buffer-batches N] [--heartbeat D]' +
  ' [--summary-file PATH] [--duration S] [--provision] [--signal exact|looped]' +
  ' [--rpm N] [--bearing balls=N,ball-mm=D,pitch-mm=P[,angle=DEG]]' +
  ' [--fault KIND[@SECONDS][:SEVERITY]] [--replay FILE[@SECONDS][,FILE[@SECONDS]]...]';

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
  /**
   * `--rpm`, `--bearing`, `--fault`, `--replay` given before any `--sensor`: every sensor's
   * machine.
   */
  machine?: MachineSpec;
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

/** Highest running speed accepted: 100,000 rpm, as target.rpm allows. */
export const MAX_RPM = 100_000;

function rpm(raw: string): number {
  if (!/^\d+(\.\d+)?$/.test(raw)) throw invalid('Must be a number of revolutions per minute.');
  const n = Number(raw);
  if (n <= 0 || n > MAX_RPM) throw invalid(`Must be more than 0 and at most ${MAX_RPM}.`);
  return n;
}

const BEARING_KEYS: Readonly<Record<string, keyof BearingGeometry>> = {
  balls: 'balls',
  'ball-mm': 'ballMm',
  'pitch-mm': 'pitchMm',
  angle: 'angleDeg',
};

/** `balls=9,ball-mm=7.94,pitch-mm=39.04[,angle=0]` (an SKF 6205). */
export function parseBearing(raw: string): BearingGeometry {
  const values: Partial<Record<keyof BearingGeometry, number>> = { angleDeg: 0 };
  for (const part of raw.split(',')) {
    const [key = '', value = ''] = part.split('=');
    const field = BEARING_KEYS[key.trim()];
    if (field === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) {
      throw invalid('Must be balls=N,ball-mm=D,pitch-mm=P[,angle=DEG].');
    }
    values[field] = Number(value);
  }
  const { balls, ballMm, pitchMm, angleDeg = 0 } = values;
  if (balls === undefined || ballMm === undefined || pitchMm === undefined) {
    throw invalid('Must give balls, ball-mm and pitch-mm.');
  }
  const bearing = { balls, ballMm, pitchMm, angleDeg };
  try {
    validateMachine({ bearing });
  } catch (error) {
    if (error instanceof InvalidMachineError) throw invalid(`${capitalize(error.message)}.`);
    throw error;
  }
  return bearing;
}

/** `KIND[@SECONDS][:SEVERITY]`: bearing-outer@30:1.5 is an outer-race defect from 30 s on. */
export function parseFault(raw: string): FaultSpec {
  const match = /^([a-z-]+)(?:@(\d+(?:\.\d+)?))?(?::(\d+(?:\.\d+)?))?$/.exec(raw);
  const kind = match?.[1] as SyntheticFaultKind | undefined;
  if (!match || kind === undefined || !FAULT_KINDS.includes(kind)) {
    throw invalid(`Must be KIND[@SECONDS][:SEVERITY], KIND one of ${FAULT_KINDS.join(', ')}.`);
  }
  return { kind, onsetS: Number(match[2] ?? 0), severity: Number(match[3] ?? 1) };
}

/**
 * `FILE[@SECONDS][,FILE[@SECONDS]]...`: recordings played one after the other, each in a loop
 * for SECONDS; the last one loops until the sensor stops (its SECONDS, if any, is ignored).
 * Only names here: main reads the files (a bad one is a usage error too).
 */
export function parseReplay(raw: string): ReplaySegment[] {
  const segments = raw.split(',').map((part, index, parts): ReplaySegment => {
    const match = /^(.+?)(?:@(\d+(?:\.\d+)?))?$/.exec(part.trim());
    const file = match?.[1];
    if (!match || file === undefined) throw invalid('Must be FILE[@SECONDS][,FILE[@SECONDS]]...');
    // An @ after the last / that is not followed by a number is a mistyped SECONDS.
    if (match[2] === undefined && /@[^@/]*$/.test(file)) {
      throw invalid(`${file}: @SECONDS must be a number of seconds.`);
    }
    const last = index === parts.length - 1;
    if (match[2] === undefined && !last) {
      throw invalid(`${file} needs @SECONDS: only the last recording plays until stopped.`);
    }
    const seconds = match[2] === undefined ? undefined : Number(match[2]);
    if (seconds !== undefined && seconds <= 0) throw invalid(`${file}@${match[2]}: must be > 0.`);
    return { file, seconds };
  });
  return segments;
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

type MachineFlag = keyof MachineSpec;
const MACHINE_FLAG_NAMES: Readonly<Record<MachineFlag, string>> = {
  rpm: '--rpm',
  bearing: '--bearing',
  fault: '--fault',
  replay: '--replay',
};

/**
 * Where `--rpm`, `--bearing` and `--fault` go as commander reads them in order: to the
 * `--sensor` just before them, or to every sensor when no `--sensor` came yet.
 */
interface MachineFlags {
  fleet: { -readonly [K in MachineFlag]?: MachineSpec[K] };
  perSerial: Map<string, { -readonly [K in MachineFlag]?: MachineSpec[K] }>;
  lastSerial: string | undefined;
}

export function buildProgram(): Command {
  return createProgram().program;
}

function createProgram(): { program: Command; machines: MachineFlags } {
  const machines: MachineFlags = { fleet: {}, perSerial: new Map(), lastSerial: undefined };
  const machineFlag =
    <K extends MachineFlag>(flag: K, parse: (raw: string) => MachineSpec[K]) =>
    (raw: string): undefined => {
      const value = parse(raw);
      const serial = machines.lastSerial;
      const target = serial === undefined ? machines.fleet : (machines.perSerial.get(serial) ?? {});
      if (target[flag] !== undefined) {
        throw invalid(serial === undefined ? 'Given twice.' : `Given twice for ${serial}.`);
      }
      target[flag] = value;
      if (serial !== undefined) machines.perSerial.set(serial, target);
      return undefined;
    };
  const program = new Command(PROGRAM)
    .description(
      'Simulated MQTT accelerometers: one process, one broker connection per sensor. ' +
        'Flags override the IOT_SIM_* environment.',
    )
    .usage('[options]')
    .option(
      '--sensor <SERIAL:HZ[:fixed|mobile]>',
      'an explicit sensor (repeatable); replaces the generated fleet',
      (raw: string, previous: SensorSpec[] | undefined) => {
        const specs = parseSensorSpec(raw, previous);
        machines.lastSerial = specs.at(-1)?.serial;
        return specs;
      },
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
    .option(
      '--rpm <n>',
      'running speed of the machine measured: its synthetic signal instead of the default; ' +
        'after a --sensor, that sensor only',
      machineFlag('rpm', rpm),
    )
    .option(
      '--bearing <geometry>',
      'its bearing, balls=N,ball-mm=D,pitch-mm=P[,angle=DEG] (needs --rpm)',
      machineFlag('bearing', parseBearing),
    )
    .option(
      '--fault <KIND[@SECONDS][:SEVERITY]>',
      `a fault (${FAULT_KINDS.join(', ')}) from SECONDS after start, SEVERITY 1 by default ` +
        '(needs --rpm; bearing faults need --bearing)',
      machineFlag('fault', parseFault),
    )
    .option(
      '--replay <FILE[@SECONDS],...>',
      'play recordings (raw float32 .f32 in g, or WAV) instead of a synthetic signal, each in ' +
        'a loop for SECONDS, the last until stopped; after a --sensor, that sensor only',
      machineFlag('replay', parseReplay),
    )
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(true) // refused below, naming the argument
    .exitOverride();
  return { program, machines };
}

/** Reads the flags. Never exits: help and errors come back as text and an exit code. */
export function parseCli(argv: readonly string[]): CliResult {
  let stdout = '';
  let stderr = '';
  const { program, machines } = createProgram();
  program.configureOutput({
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
  const {
    rpm: _r,
    bearing: _b,
    fault: _f,
    replay: _p,
    ...flags
  } = program.opts<CliFlags & Record<MachineFlag, unknown>>();
  if (flags.sensor !== undefined) {
    flags.sensor = flags.sensor.map((spec) => {
      const machine = machines.perSerial.get(spec.serial);
      return machine === undefined ? spec : { ...spec, machine };
    });
  }
  if (Object.keys(machines.fleet).length > 0) flags.machine = machines.fleet;
  return { kind: 'flags', flags };
}

/** A sensor's machine: its own flags over the fleet's; an error names the flag missing. */
function machineOf(
  spec: SensorSpec,
  fleet: MachineSpec | undefined,
): { machine: MachineSpec | undefined } | { error: string } {
  const machine = { ...fleet, ...spec.machine };
  if (Object.keys(machine).length === 0) return { machine: undefined };
  const given = (Object.keys(machine) as MachineFlag[]).map((f) => MACHINE_FLAG_NAMES[f]);
  if (machine.replay !== undefined) {
    if (given.length > 1) {
      const others = given.filter((f) => f !== '--replay');
      return { error: `--replay for ${spec.serial} cannot be combined with ${others.join(', ')}` };
    }
    return { machine };
  }
  if (machine.rpm === undefined) {
    return { error: `${given.join(', ')} for ${spec.serial} needs --rpm` };
  }
  const kind = machine.fault?.kind;
  if ((kind === 'bearing-outer' || kind === 'bearing-inner') && machine.bearing === undefined) {
    return { error: `--fault ${kind} for ${spec.serial} needs --bearing` };
  }
  return { machine };
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
  const signal = flags.signal ?? 'exact';
  const withMachines: SensorSpec[] = [];
  for (const spec of specs) {
    const resolved = machineOf(spec, flags.machine);
    if ('error' in resolved) return fail(resolved.error);
    if (resolved.machine !== undefined && signal === 'looped') {
      return fail('--signal looped cannot be combined with --rpm, --bearing, --fault or --replay');
    }
    const { machine: _own, ...rest } = spec;
    withMachines.push(
      resolved.machine === undefined ? rest : { ...rest, machine: resolved.machine },
    );
  }
  specs = withMachines;
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
      signal,
    },
  };
}
