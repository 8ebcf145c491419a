// ISO vibration-severity zones from broad-band velocity RMS (mm/s, 10–1000 Hz):
//   A  newly commissioned machines;
//   B  acceptable for unrestricted long-term operation;
//   C  unsatisfactory for long-term continuous operation, run only until a suitable opportunity
//      for remedial action;
//   D  severe enough to cause damage.
// The boundaries live in ONE table below, each row with its source.

export type IsoClass =
  | 'group1-rigid'
  | 'group1-flexible'
  | 'group2-rigid'
  | 'group2-flexible'
  | 'I'
  | 'II'
  | 'III'
  | 'IV';

export type IsoZone = 'A' | 'B' | 'C' | 'D';

export interface ZoneBoundaries {
  /** A/B, B/C and C/D boundaries, velocity RMS in mm/s. */
  readonly abMmS: number;
  readonly bcMmS: number;
  readonly cdMmS: number;
  readonly source: string;
}

const ISO_10816_3 =
  'ISO 10816-3:2009 Annex A (values unchanged in ISO 20816-3:2022 Annex A), bearing-housing ' +
  'velocity RMS, machines above 600 rpm';
const ISO_10816_1 =
  'ISO 10816-1:1995 Annex B (informative), Table B.1; withdrawn for ISO 20816-1:2016, which ' +
  'keeps no class table, so these remain the customary general-purpose values';

/** The zone boundaries, by class. */
export const ISO_ZONE_BOUNDARIES: Readonly<Record<IsoClass, ZoneBoundaries>> = {
  // Group 1: large machines, 300 kW–50 MW (or shaft height ≥ 315 mm). Table A.1.
  'group1-rigid': { abMmS: 2.3, bcMmS: 4.5, cdMmS: 7.1, source: ISO_10816_3 },
  'group1-flexible': { abMmS: 3.5, bcMmS: 7.1, cdMmS: 11, source: ISO_10816_3 },
  // Group 2: medium machines, 15–300 kW (or shaft height 160–315 mm). Table A.2.
  'group2-rigid': { abMmS: 1.4, bcMmS: 2.8, cdMmS: 4.5, source: ISO_10816_3 },
  'group2-flexible': { abMmS: 2.3, bcMmS: 4.5, cdMmS: 7.1, source: ISO_10816_3 },
  // Class I: small machines up to 15 kW; II: medium 15–75 kW (up to 300 kW on special
  // foundations); III: large machines on rigid foundations; IV: large machines on soft ones.
  I: { abMmS: 0.71, bcMmS: 1.8, cdMmS: 4.5, source: ISO_10816_1 },
  II: { abMmS: 1.12, bcMmS: 2.8, cdMmS: 7.1, source: ISO_10816_1 },
  III: { abMmS: 1.8, bcMmS: 4.5, cdMmS: 11.2, source: ISO_10816_1 },
  IV: { abMmS: 2.8, bcMmS: 7.1, cdMmS: 18, source: ISO_10816_1 },
};

export const ISO_CLASSES = Object.keys(ISO_ZONE_BOUNDARIES) as readonly IsoClass[];

export function isIsoClass(value: unknown): value is IsoClass {
  return typeof value === 'string' && Object.hasOwn(ISO_ZONE_BOUNDARIES, value);
}

/**
 * The zone of a velocity RMS for a class. A value on a boundary belongs to the zone above it:
 * the boundary is the limit, and reaching it is reaching the next zone.
 */
export function isoZone(velocityRmsMmS: number, isoClass: IsoClass): IsoZone {
  const b = ISO_ZONE_BOUNDARIES[isoClass];
  if (velocityRmsMmS < b.abMmS) return 'A';
  if (velocityRmsMmS < b.bcMmS) return 'B';
  if (velocityRmsMmS < b.cdMmS) return 'C';
  return 'D';
}

/**
 * The velocity above which a machine has left zone A: its class's A/B boundary or, with no
 * class known, the lowest A/B boundary in the table (class I), the most cautious reading.
 */
export function zoneAUpperBoundMmS(isoClass: IsoClass | undefined): number {
  if (isoClass !== undefined) return ISO_ZONE_BOUNDARIES[isoClass].abMmS;
  return Math.min(...ISO_CLASSES.map((c) => ISO_ZONE_BOUNDARIES[c].abMmS));
}
