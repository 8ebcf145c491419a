// Bearing defects from the envelope spectrum: a defect on a race or an element makes impacts
// at its defect frequency, so the envelope shows a line there and at its harmonics. The
// pattern per defect (Randall & Antoni, MSSP 25(2), 2011; ISO 13373-3:2015):
//   outer race  BPFO and harmonics (the defect sits still in the load zone: no modulation);
//   inner race  BPFI and harmonics, with sidebands at ±1× (the defect turns with the shaft
//               through the load zone, which modulates the impacts once per revolution);
//   ball        2·BSF (an element defect strikes both races each spin turn) and harmonics of
//               BSF, with sidebands at ±FTF (the element is carried round by the cage).
// FTF is reported but not diagnosed: a cage fault is not among the diagnoses we make.
import type { AmplitudeSpectrum } from './amplitude-spectrum.js';
import {
  BEARING_DEFECTS,
  type BearingDefect,
  type BearingDefectOrders,
} from './bearing-frequencies.js';
import type { Diagnosis, DiagnosisKind } from './diagnosis.js';
import { LINE_SIGNIFICANCE, lineStrength, type LineStrength } from './line-strength.js';

export interface DefectLine extends LineStrength {
  /** Harmonic of the defect frequency: 1, 2, 3, … */
  readonly harmonic: number;
  /** 0 for the harmonic itself, −1/+1 for its lower/upper modulation sideband. */
  readonly sideband: -1 | 0 | 1;
}

export interface DefectSeries {
  /** Kinematic defect frequency, Hz, and as a multiple of shaft speed. */
  readonly hz: number;
  readonly order: number;
  /** Envelope lines of the series (those inside the envelope spectrum). */
  readonly lines: readonly DefectLine[];
}

export type BearingDefectLines = Readonly<Record<BearingDefect, DefectSeries>>;

/** Harmonics read per series: three show a train of impacts; ball faults' main line is 2·BSF. */
const HARMONICS: Readonly<Record<BearingDefect, number>> = { bpfo: 3, bpfi: 3, bsf: 4, ftf: 3 };

interface DefectRule {
  readonly kind: DiagnosisKind;
  /** Harmonics that can carry the series' characteristic line. */
  readonly characteristic: readonly number[];
  /** Harmonic whose sidebands are read, and the modulation that makes them. */
  readonly sidebandsOf: number | null;
}

const RULES: Partial<Record<BearingDefect, DefectRule>> = {
  bpfo: { kind: 'bearing_outer_race', characteristic: [1], sidebandsOf: null },
  bpfi: { kind: 'bearing_inner_race', characteristic: [1], sidebandsOf: 1 },
  bsf: { kind: 'bearing_ball', characteristic: [1, 2], sidebandsOf: 2 },
};

/** The defect series in an envelope spectrum for a shaft at `shaftHz`. */
export function defectLines(
  envelope: AmplitudeSpectrum,
  orders: BearingDefectOrders,
  shaftHz: number,
): BearingDefectLines {
  const modulationHz: Readonly<Record<BearingDefect, number>> = {
    bpfo: 0,
    bpfi: shaftHz,
    bsf: orders.ftf * shaftHz,
    ftf: 0,
  };
  const series = {} as Record<BearingDefect, DefectSeries>;
  for (const defect of BEARING_DEFECTS) {
    const hz = orders[defect] * shaftHz;
    const lines: DefectLine[] = [];
    const add = (harmonic: number, sideband: -1 | 0 | 1): void => {
      const line = lineStrength(envelope, harmonic * hz + sideband * modulationHz[defect]);
      if (line !== null) lines.push({ ...line, harmonic, sideband });
    };
    for (let h = 1; h <= HARMONICS[defect]; h++) add(h, 0);
    const sidebandsOf = RULES[defect]?.sidebandsOf ?? null;
    if (sidebandsOf !== null) {
      add(sidebandsOf, -1);
      add(sidebandsOf, 1);
    }
    series[defect] = { hz, order: orders[defect], lines };
  }
  return series;
}

const describe = (defect: BearingDefect, l: DefectLine): string =>
  `${l.harmonic === 1 ? '' : `${l.harmonic}×`}${defect.toUpperCase()}` +
  `${l.sideband === 0 ? '' : l.sideband < 0 ? '−' : '+'} ${l.strength.toFixed(1)}`;

/**
 * A defect is diagnosed when its characteristic line stands out (LINE_SIGNIFICANCE) and at
 * least one more line of its series does too: one line alone may be anything that happens to
 * sit there, a series of impacts makes harmonics (or sidebands). When several defects
 * qualify, the one whose characteristic line is strongest wins.
 */
export function diagnoseBearing(lines: BearingDefectLines): Diagnosis | null {
  let best: { diagnosis: Diagnosis; strength: number } | null = null;
  for (const defect of BEARING_DEFECTS) {
    const rule = RULES[defect];
    if (rule === undefined) continue;
    const significant = lines[defect].lines.filter((l) => l.strength >= LINE_SIGNIFICANCE);
    const characteristic = significant.filter(
      (l) => l.sideband === 0 && rule.characteristic.includes(l.harmonic),
    );
    if (characteristic.length === 0 || significant.length < 2) continue;
    const strength = Math.max(...characteristic.map((l) => l.strength));
    if (best !== null && best.strength >= strength) continue;
    best = {
      strength,
      diagnosis: {
        kind: rule.kind,
        evidence:
          `envelope lines over their neighbourhood: ${significant.map((l) => describe(defect, l)).join(', ')} ` +
          `(significant ≥ ${LINE_SIGNIFICANCE}, ${defect.toUpperCase()} ${lines[defect].hz.toFixed(1)} Hz)`,
      },
    };
  }
  return best?.diagnosis ?? null;
}
