// The machine a target is, as flags: `--rpm`, `--bearing`, `--iso-class`, `--controller`, for
// `create target` (set them) and `set target` (set them, or clear one with `none`). Each is
// checked here, as commander argParsers, against the bounds the API and the table enforce
// (internal/validation), so a bad value is a usage error (exit 2) before any request.
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  CONTROLLER_ADDRESS_PATTERN,
  ISO_CLASS_NAMES,
  MAX_BEARING_ANGLE_DEG,
  MAX_BEARING_BALL_MM,
  MAX_BEARING_BALLS,
  MAX_BEARING_PITCH_MM,
  MAX_CONTROLLER_ADDRESS_CHARS,
  MAX_RPM,
} from '../../internal/validation/index.js';
import type { Target } from './api-types.js';

export type BearingSpec = NonNullable<Target['bearing']>;
export type IsoClassName = (typeof ISO_CLASS_NAMES)[number];

/** What `set target` sends for a flag given as `none`: clear it. */
const CLEAR = 'none';

const DECIMAL = /^\d+(\.\d+)?$/;
const toNumber = (raw: string) => (DECIMAL.test(raw.trim()) ? Number(raw) : NaN);

export function parseRpm(raw: string): number {
  const rpm = toNumber(raw);
  if (!(rpm > 0 && rpm <= MAX_RPM)) {
    throw new InvalidArgumentError(
      `Must be revolutions per minute, above 0 and at most ${MAX_RPM}.`,
    );
  }
  return rpm;
}

const BEARING_KEYS = {
  balls: 'balls',
  'ball-mm': 'ballMm',
  'pitch-mm': 'pitchMm',
  angle: 'angleDeg',
} as const;
const BEARING_FORMAT = 'balls=N,ball-mm=D,pitch-mm=P[,angle=DEG]';

/** `balls=9,ball-mm=7.94,pitch-mm=39.04[,angle=0]` → the API's bearing (angle 0 if left out). */
export function parseBearing(raw: string): BearingSpec {
  const found: Partial<Record<keyof BearingSpec, number>> = {};
  for (const part of raw.split(',')) {
    const [key = '', value, extra] = part.split('=').map((s) => s.trim());
    const field = (BEARING_KEYS as Record<string, keyof BearingSpec | undefined>)[key];
    if (field === undefined || value === undefined || extra !== undefined) {
      throw new InvalidArgumentError(`Must be ${BEARING_FORMAT}; "${part}" is not.`);
    }
    if (found[field] !== undefined) throw new InvalidArgumentError(`${key} is given twice.`);
    found[field] = toNumber(value);
  }
  const { balls, ballMm, pitchMm, angleDeg = 0 } = found;
  if (balls === undefined || ballMm === undefined || pitchMm === undefined) {
    throw new InvalidArgumentError(
      `Must be ${BEARING_FORMAT}: balls, ball-mm and pitch-mm are needed.`,
    );
  }
  if (!(Number.isInteger(balls) && balls >= 1 && balls <= MAX_BEARING_BALLS)) {
    throw new InvalidArgumentError(`balls must be a whole number, 1-${MAX_BEARING_BALLS}.`);
  }
  if (!(ballMm > 0 && ballMm <= MAX_BEARING_BALL_MM)) {
    throw new InvalidArgumentError(`ball-mm must be above 0 and at most ${MAX_BEARING_BALL_MM}.`);
  }
  if (!(pitchMm > 0 && pitchMm <= MAX_BEARING_PITCH_MM)) {
    throw new InvalidArgumentError(`pitch-mm must be above 0 and at most ${MAX_BEARING_PITCH_MM}.`);
  }
  if (!(ballMm < pitchMm)) throw new InvalidArgumentError('ball-mm must be less than pitch-mm.');
  if (!(angleDeg >= 0 && angleDeg < MAX_BEARING_ANGLE_DEG)) {
    throw new InvalidArgumentError(`angle must be degrees, 0 to below ${MAX_BEARING_ANGLE_DEG}.`);
  }
  return { balls, ballMm, pitchMm, angleDeg };
}

export function parseController(raw: string): string {
  if (raw.length > MAX_CONTROLLER_ADDRESS_CHARS || !CONTROLLER_ADDRESS_PATTERN.test(raw)) {
    throw new InvalidArgumentError(
      'Must be HOST:PORT (a name, an IPv4 address or [IPv6]; port 1-65535).',
    );
  }
  return raw;
}

/** The parser, also taking `none` (clear it) when `clearable`. */
const orClear =
  <T>(parse: (raw: string) => T, clearable: boolean) =>
  (raw: string): T | null =>
    clearable && raw === CLEAR ? null : parse(raw);

export interface MachineFlags {
  rpm?: number | null;
  bearing?: BearingSpec | null;
  /** `none` (set target only): clear it. */
  isoClass?: IsoClassName | typeof CLEAR;
  controller?: string | null;
}

/** Adds the four flags; with `clearable`, each also takes `none`. */
export function addMachineOptions(command: Command, clearable: boolean): Command {
  const clear = clearable ? ` (${CLEAR}: clear it)` : '';
  return command
    .addOption(
      new Option('--rpm <n>', `running speed, rpm${clear}`).argParser(orClear(parseRpm, clearable)),
    )
    .addOption(
      new Option('--bearing <spec>', `the bearing: ${BEARING_FORMAT}${clear}`).argParser(
        orClear(parseBearing, clearable),
      ),
    )
    .addOption(
      // Choices, not a parser: the shell completion offers them.
      new Option('--iso-class <class>', `ISO 10816/20816 class${clear}`).choices(
        clearable ? [...ISO_CLASS_NAMES, CLEAR] : ISO_CLASS_NAMES,
      ),
    )
    .addOption(
      new Option('--controller <host:port>', `the machine controller's address${clear}`).argParser(
        orClear(parseController, clearable),
      ),
    );
}

/** The API's fields for the flags given (null: clear), none for the flags left out. */
export function machineBody(flags: MachineFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (flags.rpm !== undefined) body.rpm = flags.rpm;
  if (flags.bearing !== undefined) body.bearing = flags.bearing;
  if (flags.isoClass !== undefined)
    body.isoClass = flags.isoClass === CLEAR ? null : flags.isoClass;
  if (flags.controller !== undefined) body.controllerAddress = flags.controller;
  return body;
}

/** `9 balls, 7.94/39.04 mm, 0°` */
export function formatBearing(bearing: BearingSpec): string {
  return `${bearing.balls} balls, ${bearing.ballMm}/${bearing.pitchMm} mm, ${bearing.angleDeg}°`;
}
