// Rotor faults from the lines at orders of running speed, read as velocity (mm/s RMS), the
// quantity the ISO severity zones and the diagnostic charts use. The patterns are the
// textbook ones (ISO 13373-3:2015, guidelines for vibration diagnosis; Scheffer & Girdhar,
// "Practical Machinery Vibration Analysis and Predictive Maintenance", 2004; J. Berry,
// Technical Associates of Charlotte, "Illustrated Vibration Diagnostic Chart"):
//   imbalance     1× dominates, harmonics low;
//   misalignment  2× high relative to 1× (and 3×);
//   looseness     many harmonics of 1× (and often half orders).
import type { AmplitudeSpectrum } from './amplitude-spectrum.js';
import type { Diagnosis } from './diagnosis.js';
import { zoneAUpperBoundMmS, type IsoClass } from './iso-zones.js';
import { LINE_SIGNIFICANCE, lineStrength } from './line-strength.js';
import { accelerationToVelocityMmS, type FrequencyBand } from './velocity.js';

/** Orders read: integer harmonics up to 10× (charts look this far for looseness) and halves. */
const HIGHEST_ORDER = 10;
const HALF_ORDERS_UP_TO = 4.5;

/**
 * A rotor fault is called only once overall velocity has left zone A: zone A is the state of
 * a newly commissioned machine (ISO 10816/20816), so a pattern below it is not yet a fault.
 */
const ZONE_A_GATE = 'ISO zone A upper bound';

/**
 * Imbalance: 1× carries at least 80 % of the overall velocity (the charts' "1× is 80 % or
 * more of overall"). The same share, carried by all orders together, marks vibration as
 * synchronous with the shaft, which misalignment and looseness also require.
 */
export const SYNCHRONOUS_SHARE = 0.8;
/** Misalignment: 2× at least half of 1× (the charts' threshold; above 1× it is typical). */
export const MISALIGNMENT_2X_RATIO = 0.5;
/**
 * Looseness: at least three harmonics above 2× that stand out (LINE_SIGNIFICANCE) and reach
 * a tenth of 1× (−20 dB; weaker harmonics are the residue of any real rotor's distortion).
 */
export const LOOSENESS_MIN_HARMONICS = 3;
export const HARMONIC_PRESENCE_RATIO = 0.1;

export interface OrderLine {
  /** Multiple of running speed: 0.5, 1, 1.5, … 10. */
  readonly order: number;
  readonly hz: number;
  /** Acceleration amplitude (peak), g. */
  readonly accelerationG: number;
  /** Velocity RMS, mm/s. */
  readonly velocityMmS: number;
  /** Line strength over its neighbourhood (see line-strength.ts). */
  readonly strength: number;
}

/** Lines at running-speed orders inside `band`, from an acceleration spectrum in g. */
export function orderLines(
  spec: AmplitudeSpectrum,
  shaftHz: number,
  band: FrequencyBand,
): OrderLine[] {
  const lines: OrderLine[] = [];
  for (let twice = 1; twice <= 2 * HIGHEST_ORDER; twice++) {
    const order = twice / 2;
    if (twice % 2 === 1 && order > HALF_ORDERS_UP_TO) continue;
    const expected = order * shaftHz;
    if (expected < band.loHz || expected > band.hiHz) continue;
    const line = lineStrength(spec, expected);
    if (line === null) continue;
    lines.push({
      order,
      hz: line.hz,
      accelerationG: line.amplitude,
      velocityMmS: accelerationToVelocityMmS(line.amplitude, line.hz) / Math.SQRT2,
      strength: line.strength,
    });
  }
  return lines;
}

const percent = (x: number): string => `${Math.round(100 * x)} %`;
const mmS = (x: number): string => `${x.toPrecision(3)} mm/s`;

/** Imbalance, misalignment or looseness when the evidence is clear, else null. */
export function diagnoseRotor(
  lines: readonly OrderLine[],
  velocityRmsMmS: number,
  isoClass: IsoClass | undefined,
): Diagnosis | null {
  if (velocityRmsMmS < zoneAUpperBoundMmS(isoClass)) return null;
  const significant = lines.filter((l) => l.strength >= LINE_SIGNIFICANCE);
  const at = (order: number): number =>
    significant.find((l) => l.order === order)?.velocityMmS ?? 0;
  const v1 = at(1);
  const v2 = at(2);
  const synchronous = Math.sqrt(significant.reduce((s, l) => s + l.velocityMmS ** 2, 0));
  const gate = `overall ${mmS(velocityRmsMmS)} above the ${ZONE_A_GATE} ${zoneAUpperBoundMmS(isoClass)} mm/s`;
  if (synchronous < SYNCHRONOUS_SHARE * velocityRmsMmS) return null;

  const harmonics = significant.filter(
    (l) =>
      Number.isInteger(l.order) && l.order > 2 && l.velocityMmS >= HARMONIC_PRESENCE_RATIO * v1,
  );
  if (v1 > 0 && harmonics.length >= LOOSENESS_MIN_HARMONICS) {
    const halves = significant.filter((l) => !Number.isInteger(l.order)).map((l) => `${l.order}×`);
    return {
      kind: 'looseness',
      evidence:
        `${harmonics.length} harmonics of 1× above 2× (${harmonics.map((l) => `${l.order}×`).join(', ')}) ` +
        `at ≥ ${percent(HARMONIC_PRESENCE_RATIO)} of 1×` +
        (halves.length > 0 ? `, half orders ${halves.join(', ')}` : '') +
        `; ${gate}`,
    };
  }
  if (v2 > 0 && v2 >= MISALIGNMENT_2X_RATIO * v1) {
    return {
      kind: 'misalignment',
      evidence: `2× ${mmS(v2)} is ${v1 > 0 ? percent(v2 / v1) : '∞'} of 1× ${mmS(v1)}; ${gate}`,
    };
  }
  // "Harmonics low" must be a measurement: at a rate whose band ends below 2× (100 Hz for a
  // 1500 rpm machine) a 1× line may be misalignment whose 2× the sensor cannot see.
  const twiceSeen = lines.some((l) => l.order === 2);
  if (twiceSeen && v1 >= SYNCHRONOUS_SHARE * velocityRmsMmS) {
    return {
      kind: 'imbalance',
      evidence: `1× ${mmS(v1)} is ${percent(v1 / velocityRmsMmS)} of overall; 2× ${percent(v2 / v1)} of 1×; ${gate}`,
    };
  }
  return null;
}
