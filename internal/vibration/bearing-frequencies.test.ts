import { describe, expect, it } from 'vitest';
import { bearingDefectFrequencies, bearingDefectOrders } from './bearing-frequencies.js';
import { InvalidMachineError } from './errors.js';
import { validateBearing, validateMachine, type BearingGeometry } from './machine.js';

/** SKF 6205-2RS JEM on the CWRU rig's drive end (shared/data/cwru/README.md). */
const SKF_6205: BearingGeometry = { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 };

describe('bearing defect frequencies of the CWRU bearing', () => {
  const orders = bearingDefectOrders(SKF_6205);
  // The README states the orders to 4 decimals (BSF to 3): equal within half the last digit.
  it.each([
    ['bpfo', 3.5848, 5e-5],
    ['bpfi', 5.4152, 5e-5],
    ['ftf', 0.3983, 5e-5],
    ['bsf', 2.357, 5e-4],
  ] as const)('%s is %s × shaft speed', (defect, multiple, halfDigit) => {
    expect(Math.abs(orders[defect] - multiple)).toBeLessThanOrEqual(halfDigit);
  });

  // And in Hz at 1796 rpm (fr = 29.93 Hz), stated to 0.1 Hz: within half that last digit plus
  // the rounding of the multiple it was computed from (BSF: 2.357 ± 5e-4, times fr ≈ 0.015 Hz).
  it.each([
    ['bpfo', 107.3, 5e-5],
    ['bpfi', 162.1, 5e-5],
    ['ftf', 11.9, 5e-5],
    ['bsf', 70.6, 5e-4],
  ] as const)('%s at 1796 rpm is %s Hz', (defect, hz, halfDigit) => {
    const fr = 1796 / 60;
    const found = bearingDefectFrequencies(SKF_6205, fr)[defect];
    expect(Math.abs(found - hz)).toBeLessThanOrEqual(0.05 + halfDigit * fr);
  });

  it('BPFO + BPFI is the number of balls (each ball passes both races once per relative turn)', () => {
    // An algebraic identity: equal but for float64 rounding.
    expect(orders.bpfo + orders.bpfi).toBeCloseTo(9, 12);
  });

  it('a contact angle lowers BPFI and raises BPFO (cos φ shrinks the effective ball ratio)', () => {
    const angular = bearingDefectOrders({ ...SKF_6205, angleDeg: 40 });
    expect(angular.bpfi).toBeLessThan(orders.bpfi);
    expect(angular.bpfo).toBeGreaterThan(orders.bpfo);
  });
});

describe('machine validation', () => {
  it.each([
    ['balls', { ...SKF_6205, balls: 8.5 }],
    ['ballMm', { ...SKF_6205, ballMm: 40 }],
    ['ballMm', { ...SKF_6205, ballMm: -1 }],
    ['pitchMm', { ...SKF_6205, pitchMm: Number.NaN }],
    ['angleDeg', { ...SKF_6205, angleDeg: 90 }],
  ])('refuses an impossible %s', (field, bearing) => {
    expect(() => validateBearing(bearing)).toThrowError(InvalidMachineError);
    expect(() => validateBearing(bearing)).toThrowError(new RegExp(`bearing\\.${field}`));
  });

  it.each([0, -1800, Number.POSITIVE_INFINITY])('refuses rpm %s', (rpm) => {
    expect(() => validateMachine({ rpm })).toThrowError(/machine\.rpm/);
  });

  it('accepts the CWRU machine', () => {
    expect(() => validateMachine({ rpm: 1796, bearing: SKF_6205, isoClass: 'I' })).not.toThrow();
  });
});
