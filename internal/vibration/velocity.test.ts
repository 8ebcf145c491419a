import { describe, expect, it } from 'vitest';
import { analyzeWindow } from './analyze-window.js';
import { ISO_CLASSES, ISO_ZONE_BOUNDARIES, type IsoClass, type IsoZone } from './iso-zones.js';
import { STANDARD_GRAVITY_M_S2, velocityBand } from './velocity.js';

/** A sine of `accelerationG` (peak) at `hz`, float32 like a sensor's batch. */
function sine(accelerationG: number, hz: number, rateHz: number, n = rateHz): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = accelerationG * Math.sin((2 * Math.PI * hz * i) / rateHz);
  return x;
}

/** Analytic velocity RMS of an acceleration sine: a·g/(2πf)/√2, in mm/s. */
const velocityOf = (accelerationG: number, hz: number): number =>
  ((accelerationG * STANDARD_GRAVITY_M_S2) / (2 * Math.PI * hz) / Math.SQRT2) * 1000;

/** The acceleration amplitude (g) of a sine at `hz` whose velocity RMS is `mmS`. */
const accelerationFor = (mmS: number, hz: number): number =>
  ((mmS / 1000) * Math.SQRT2 * 2 * Math.PI * hz) / STANDARD_GRAVITY_M_S2;

// Integration per bin weights the Hann lobe (±2 bins) by 1/f²; at 1 Hz resolution and
// f ≥ 30 Hz that skews the result by < (2/30)² ≈ 0.4 %; float32 adds 1e-7. Hence 1 %.
const INTEGRATION_TOLERANCE = 0.01;

describe('velocity RMS of a sine (frequency-domain integration)', () => {
  it.each([
    // acceleration g (peak), Hz, rate
    [1, 100, 1000],
    [0.5, 29.93, 12_000],
    [2, 500.5, 5000],
    [0.1, 30, 100],
    [3, 900, 25_600],
  ])('%s g at %s Hz, %s samples/s', (a, hz, rate) => {
    const v = analyzeWindow(sine(a, hz, rate), rate).velocityRmsMmS;
    expect(v).not.toBeNull();
    expect(Math.abs((v ?? 0) / velocityOf(a, hz) - 1)).toBeLessThan(INTEGRATION_TOLERANCE);
  });

  // A line outside the band contributes only its window leakage: Hann's side lobes 5 bins
  // and more away are below −50 dB (Harris 1978), so < 0.1 % of the line's own velocity.
  it.each([
    [5, 1000],
    [2000, 12_000],
  ])('leaves out a line at %s Hz (%s samples/s)', (hz, rate) => {
    const v = analyzeWindow(sine(1, hz, rate), rate).velocityRmsMmS ?? 0;
    expect(v / velocityOf(1, hz)).toBeLessThan(1e-3);
  });

  it.each([
    [25_600, { loHz: 10, hiHz: 1000 }],
    [1000, { loHz: 10, hiHz: 390.625 }],
    [100, { loHz: 10, hiHz: 39.0625 }],
    [20, null],
  ])('band at %s samples/s is %j (top at fs/2.56)', (rate, band) => {
    expect(velocityBand(rate)).toEqual(band);
  });
});

// One case per class and zone: a velocity in the middle of the zone (geometric mean of its
// boundaries; half of A/B for A, 1.5 × C/D for D), generated as an 80 Hz acceleration sine.
const ZONE_CASES: [IsoClass, IsoZone, number][] = ISO_CLASSES.flatMap((isoClass) => {
  const b = ISO_ZONE_BOUNDARIES[isoClass];
  return [
    [isoClass, 'A', b.abMmS / 2],
    [isoClass, 'B', Math.sqrt(b.abMmS * b.bcMmS)],
    [isoClass, 'C', Math.sqrt(b.bcMmS * b.cdMmS)],
    [isoClass, 'D', 1.5 * b.cdMmS],
  ] as [IsoClass, IsoZone, number][];
});

describe('ISO zone of a measured sine, every class and zone', () => {
  const TONE_HZ = 80;
  const RATE = 5000;
  it.each(ZONE_CASES)('%s, zone %s (%s mm/s)', (isoClass, zone, mmS) => {
    const features = analyzeWindow(sine(accelerationFor(mmS, TONE_HZ), TONE_HZ, RATE), RATE, {
      isoClass,
    });
    expect(Math.abs((features.velocityRmsMmS ?? 0) / mmS - 1)).toBeLessThan(INTEGRATION_TOLERANCE);
    expect(features.isoClass).toBe(isoClass);
    expect(features.isoZone).toBe(zone);
  });
});
