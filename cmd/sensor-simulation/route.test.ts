import { describe, expect, it } from 'vitest';
import {
  PLANT_SITE,
  Route,
  SODERMALM_LOOP,
  bearingDeg,
  distanceM,
  fixedPosition,
  type LatLon,
} from './route.js';

const valid = (p: LatLon) =>
  Number.isFinite(p.latitude) &&
  Number.isFinite(p.longitude) &&
  Math.abs(p.latitude) <= 90 &&
  Math.abs(p.longitude) <= 180;

describe('geodesy', () => {
  it.each([
    // from, to, metres, bearing
    [{ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 1 }, 111_195, 90],
    [{ latitude: 0, longitude: 0 }, { latitude: 1, longitude: 0 }, 111_195, 0],
    [{ latitude: 59.3, longitude: 18 }, { latitude: 59.29, longitude: 18 }, 1112, 180],
    [{ latitude: 59.3, longitude: 18 }, { latitude: 59.3, longitude: 17.99 }, 568, 270],
  ])('%j → %j is %d m at %d°', (a, b, metres, bearing) => {
    expect(distanceM(a, b)).toBeCloseTo(metres, -1);
    expect(bearingDeg(a, b)).toBeCloseTo(bearing, 0);
  });
});

describe('Route', () => {
  const route = new Route();

  it('is a loop of realistic length and duration', () => {
    expect(route.lengthM).toBeGreaterThan(5000);
    expect(route.lengthM).toBeLessThan(20_000);
    const averageSpeed = route.lengthM / route.loopSeconds;
    expect(averageSpeed).toBeGreaterThan(5);
    expect(averageSpeed).toBeLessThan(20);
  });

  it('gives valid fixes with a city speed and a heading, every second of a round', () => {
    for (let t = 0; t < route.loopSeconds; t++) {
      const fix = route.at(t);
      expect(valid(fix)).toBe(true);
      expect(fix.speedMps).toBeGreaterThanOrEqual(5);
      expect(fix.speedMps).toBeLessThanOrEqual(20);
      expect(fix.headingDeg).toBeGreaterThanOrEqual(0);
      expect(fix.headingDeg).toBeLessThan(360);
    }
  });

  it('moves about speed × 1 s between fixes one second apart', () => {
    for (let t = 0; t < route.loopSeconds - 1; t += 7) {
      const [a, b] = [route.at(t), route.at(t + 1)];
      // At a waypoint the vehicle turns, so the straight line is a little shorter.
      expect(distanceM(a, b)).toBeLessThanOrEqual(Math.max(a.speedMps, b.speedMps) * 1.05);
      expect(distanceM(a, b)).toBeGreaterThan(Math.min(a.speedMps, b.speedMps) * 0.5);
    }
  });

  it('closes the loop and wraps around', () => {
    const start = SODERMALM_LOOP[0] as LatLon;
    expect(distanceM(route.at(0), start)).toBeLessThan(0.01);
    expect(distanceM(route.at(route.loopSeconds), start)).toBeLessThan(0.01);
    expect(distanceM(route.at(route.loopSeconds + 42), route.at(42))).toBeLessThan(0.01);
    expect(distanceM(route.at(-1), route.at(route.loopSeconds - 1))).toBeLessThan(0.01);
  });

  it('heads along the leg it is on', () => {
    const [a, b] = [SODERMALM_LOOP[0], SODERMALM_LOOP[1]] as [LatLon, LatLon];
    expect(route.at(1).headingDeg).toBeCloseTo(bearingDeg(a, b), 6);
  });

  it('spreads vehicles over the loop, reproducibly', () => {
    const offsets = ['VAN-1', 'VAN-2', 'VAN-3'].map((s) => route.startOffsetS(s));
    expect(new Set(offsets).size).toBe(3);
    expect(route.startOffsetS('VAN-1')).toBe(offsets[0]);
    for (const o of offsets) expect(o).toBeLessThan(route.loopSeconds);
  });

  it.each([[[]], [[{ latitude: 1, longitude: 1, speedMps: 1 }]]])('refuses %j', (points) => {
    expect(() => new Route(points)).toThrow(RangeError);
  });
});

describe('fixedPosition', () => {
  it.each(['PUMP-1', 'FAN-22', 'AAD-1123'])(
    '%s stands on the plant site, always the same spot',
    (s) => {
      const p = fixedPosition(s);
      expect(valid(p)).toBe(true);
      expect(distanceM(p, PLANT_SITE)).toBeLessThan(300 * Math.SQRT2 + 1);
      expect(fixedPosition(s)).toEqual(p);
    },
  );
});
