import { describe, expect, it } from 'vitest';
import {
  ISO_CLASSES,
  ISO_ZONE_BOUNDARIES,
  isIsoClass,
  isoZone,
  zoneAUpperBoundMmS,
  type IsoClass,
} from './iso-zones.js';

describe('ISO_ZONE_BOUNDARIES', () => {
  // The published values, restated here so that an edit of the table shows up as a failure.
  it.each([
    ['I', 0.71, 1.8, 4.5],
    ['II', 1.12, 2.8, 7.1],
    ['III', 1.8, 4.5, 11.2],
    ['IV', 2.8, 7.1, 18],
    ['group1-rigid', 2.3, 4.5, 7.1],
    ['group1-flexible', 3.5, 7.1, 11],
    ['group2-rigid', 1.4, 2.8, 4.5],
    ['group2-flexible', 2.3, 4.5, 7.1],
  ] as [IsoClass, number, number, number][])('%s: A/B %s, B/C %s, C/D %s mm/s', (c, ab, bc, cd) => {
    expect(ISO_ZONE_BOUNDARIES[c]).toMatchObject({ abMmS: ab, bcMmS: bc, cdMmS: cd });
    expect(ISO_ZONE_BOUNDARIES[c].source).toMatch(/^ISO 10816-[13]/);
  });

  it('has eight classes', () => {
    expect(ISO_CLASSES).toHaveLength(8);
  });
});

describe('isoZone', () => {
  it.each([
    [0, 'A'],
    [0.7099, 'A'],
    // On a boundary is in the zone above: the boundary is the limit reached.
    [0.71, 'B'],
    [1.8, 'C'],
    [4.4999, 'C'],
    [4.5, 'D'],
    [100, 'D'],
  ])('class I at %s mm/s is zone %s', (v, zone) => {
    expect(isoZone(v, 'I')).toBe(zone);
  });
});

describe('isIsoClass', () => {
  it.each(['I', 'IV', 'group2-flexible'])('accepts %s', (c) => expect(isIsoClass(c)).toBe(true));
  it.each(['V', 'group3-rigid', 'toString', '', 1, null])('refuses %s', (c) => {
    expect(isIsoClass(c)).toBe(false);
  });
});

describe('zoneAUpperBoundMmS', () => {
  it('is the class A/B boundary, or the lowest one (class I) when the class is unknown', () => {
    expect(zoneAUpperBoundMmS('group1-flexible')).toBe(3.5);
    expect(zoneAUpperBoundMmS(undefined)).toBe(0.71);
  });
});
