// What a target tells the analysis about its machine, and the checks that keep impossible
// parameters out (they would otherwise turn into NaN defect frequencies much later).
import { InvalidMachineError } from './errors.js';
import { isIsoClass, type IsoClass } from './iso-zones.js';

/** A rolling-element bearing's geometry (from the maker's catalogue). */
export interface BearingGeometry {
  /** Number of rolling elements. */
  readonly balls: number;
  /** Rolling-element diameter, mm. */
  readonly ballMm: number;
  /** Pitch diameter (the circle through the elements' centres), mm. */
  readonly pitchMm: number;
  /** Contact angle, degrees: 0 for a deep-groove ball bearing under radial load. */
  readonly angleDeg: number;
}

export interface MachineParameters {
  /** Shaft speed, revolutions per minute. */
  readonly rpm?: number;
  readonly bearing?: BearingGeometry;
  readonly isoClass?: IsoClass;
}

const SECONDS_PER_MINUTE = 60;

/** Shaft rotation frequency in Hz. */
export function shaftHz(rpm: number): number {
  return rpm / SECONDS_PER_MINUTE;
}

function positiveFinite(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidMachineError(field, `must be a positive number, got ${String(value)}`);
  }
}

export function validateBearing(bearing: BearingGeometry, field = 'bearing'): void {
  if (!Number.isInteger(bearing.balls) || bearing.balls < 1) {
    throw new InvalidMachineError(
      `${field}.balls`,
      `must be a positive integer, got ${bearing.balls}`,
    );
  }
  positiveFinite(`${field}.ballMm`, bearing.ballMm);
  positiveFinite(`${field}.pitchMm`, bearing.pitchMm);
  if (bearing.ballMm >= bearing.pitchMm) {
    throw new InvalidMachineError(
      `${field}.ballMm`,
      `${bearing.ballMm} mm is not smaller than the pitch diameter ${bearing.pitchMm} mm`,
    );
  }
  const angle = bearing.angleDeg;
  if (typeof angle !== 'number' || !Number.isFinite(angle) || angle < 0 || angle >= 90) {
    throw new InvalidMachineError(`${field}.angleDeg`, `must be in [0, 90), got ${String(angle)}`);
  }
}

/** Throws InvalidMachineError naming the first impossible parameter. */
export function validateMachine(machine: MachineParameters): void {
  if (machine.rpm !== undefined) positiveFinite('rpm', machine.rpm);
  if (machine.bearing !== undefined) validateBearing(machine.bearing);
  if (machine.isoClass !== undefined && !isIsoClass(machine.isoClass)) {
    throw new InvalidMachineError('isoClass', `unknown class ${String(machine.isoClass)}`);
  }
}
