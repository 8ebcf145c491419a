// The machine a sensor sits on, as the analysis needs it: running speed, bearing, ISO class,
// from the sensor's target. Cached briefly per sensor: a window a second would otherwise ask
// the database the same thing every second, and a changed target shows up within the TTL.
import type pg from 'pg';
import {
  isIsoClass,
  validateMachine,
  type MachineParameters,
} from '../../internal/vibration/index.js';

/** A target's new parameters (or a reassigned sensor) take effect within 10 s. */
export const MACHINE_CACHE_TTL_MS = 10_000;

interface TargetRow {
  rpm: number | null;
  bearing_balls: number | null;
  bearing_ball_mm: number | null;
  bearing_pitch_mm: number | null;
  bearing_angle_deg: number | null;
  iso_class: string | null;
}

/** Parameters from a target row; a part the analysis would refuse is left out (and reported). */
export function machineFromRow(
  row: TargetRow | undefined,
  onInvalid: (error: unknown) => void = () => {},
): MachineParameters {
  if (row === undefined) return {};
  const machine: {
    rpm?: number;
    bearing?: MachineParameters['bearing'];
    isoClass?: MachineParameters['isoClass'];
  } = {};
  if (row.rpm !== null) machine.rpm = row.rpm;
  if (isIsoClass(row.iso_class)) machine.isoClass = row.iso_class;
  if (row.bearing_balls !== null && row.bearing_ball_mm !== null && row.bearing_pitch_mm !== null) {
    machine.bearing = {
      balls: row.bearing_balls,
      ballMm: row.bearing_ball_mm,
      pitchMm: row.bearing_pitch_mm,
      angleDeg: row.bearing_angle_deg ?? 0,
    };
  }
  try {
    validateMachine(machine);
    return machine;
  } catch (error) {
    // The table's CHECKs make this unlikely; analyse with what is certainly valid.
    onInvalid(error);
    return isIsoClass(row.iso_class) ? { isoClass: row.iso_class } : {};
  }
}

export class MachineDirectory {
  private readonly cache = new Map<number, { machine: MachineParameters; at: number }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly onInvalid: (sensorId: number, error: unknown) => void = () => {},
    private readonly ttlMs = MACHINE_CACHE_TTL_MS,
  ) {}

  async machineOf(sensorId: number, now = Date.now()): Promise<MachineParameters> {
    const cached = this.cache.get(sensorId);
    if (cached && now - cached.at < this.ttlMs) return cached.machine;
    const { rows } = await this.pool.query<TargetRow>(
      `SELECT t.rpm, t.bearing_balls, t.bearing_ball_mm, t.bearing_pitch_mm,
              t.bearing_angle_deg, t.iso_class
         FROM sensor s JOIN target t ON t.id = s.target_id
        WHERE s.id = $1`,
      [sensorId],
    );
    const machine = machineFromRow(rows[0], (error) => this.onInvalid(sensorId, error));
    this.cache.set(sensorId, { machine, at: now });
    return machine;
  }
}
