// Rolling-bearing defect frequencies from kinematics (outer race fixed, inner race turning
// with the shaft, no slip). With n elements, element diameter d, pitch diameter D, contact
// angle φ and shaft frequency fr, and ρ = (d/D)·cos φ:
//   FTF  (cage)            = fr/2 · (1 − ρ)
//   BPFO (outer race)      = n·fr/2 · (1 − ρ)
//   BPFI (inner race)      = n·fr/2 · (1 + ρ)
//   BSF  (element spin)    = D/(2d) · fr · (1 − ρ²)
// (Harris & Kotzalas, "Rolling Bearing Analysis", 5th ed. 2007; Randall & Antoni, "Rolling
// element bearing diagnostics — a tutorial", MSSP 25(2), 2011). A defect on an element
// strikes the races twice per spin turn, so its impacts come at 2·BSF.
import type { BearingGeometry } from './machine.js';

/** Defect frequencies as multiples of the shaft frequency (orders). */
export interface BearingDefectOrders {
  readonly bpfo: number;
  readonly bpfi: number;
  readonly bsf: number;
  readonly ftf: number;
}

export type BearingDefect = keyof BearingDefectOrders;

export const BEARING_DEFECTS: readonly BearingDefect[] = ['bpfo', 'bpfi', 'bsf', 'ftf'];

const DEGREES_PER_RADIAN = 180 / Math.PI;

export function bearingDefectOrders(bearing: BearingGeometry): BearingDefectOrders {
  const ratio =
    (bearing.ballMm / bearing.pitchMm) * Math.cos(bearing.angleDeg / DEGREES_PER_RADIAN);
  return {
    bpfo: (bearing.balls / 2) * (1 - ratio),
    bpfi: (bearing.balls / 2) * (1 + ratio),
    bsf: (bearing.pitchMm / (2 * bearing.ballMm)) * (1 - ratio * ratio),
    ftf: (1 - ratio) / 2,
  };
}

/** Defect frequencies in Hz for a shaft turning at `shaftHz`. */
export function bearingDefectFrequencies(
  bearing: BearingGeometry,
  shaftHz: number,
): BearingDefectOrders {
  const orders = bearingDefectOrders(bearing);
  return {
    bpfo: orders.bpfo * shaftHz,
    bpfi: orders.bpfi * shaftHz,
    bsf: orders.bsf * shaftHz,
    ftf: orders.ftf * shaftHz,
  };
}
