// Where a sensor is. A mobile sensor rides a vehicle around a loop of waypoints (a delivery
// round through Stockholm's Södermalm, at city speeds per leg); its position is interpolated
// along the current leg and carries the leg's heading and speed. A fixed sensor stands on a
// machine somewhere on a plant site. Both are seeded by the serial.
import { SeededRandom } from './seeded-random.js';

export interface LatLon {
  readonly latitude: number;
  readonly longitude: number;
}

/** A waypoint and the speed the vehicle drives from it to the next one. */
export interface Waypoint extends LatLon {
  readonly speedMps: number;
}

export interface RouteFix extends LatLon {
  readonly headingDeg: number;
  readonly speedMps: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** Great-circle distance in metres. */
export function distanceM(a: LatLon, b: LatLon): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees clockwise from true north in [0, 360). */
export function bearingDeg(a: LatLon, b: LatLon): number {
  const dLon = rad(b.longitude - a.longitude);
  const y = Math.sin(dLon) * Math.cos(rad(b.latitude));
  const x =
    Math.cos(rad(a.latitude)) * Math.sin(rad(b.latitude)) -
    Math.sin(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.cos(dLon);
  return (deg(Math.atan2(y, x)) + 360) % 360;
}

/** A loop through Södermalm, Stockholm: about 9 km, 13 minutes a round. */
export const SODERMALM_LOOP: readonly Waypoint[] = [
  { latitude: 59.3195, longitude: 18.0717, speedMps: 8 }, // Slussen
  { latitude: 59.3175, longitude: 18.0505, speedMps: 11 }, // Zinkensdamm
  { latitude: 59.3158, longitude: 18.034, speedMps: 9 }, // Hornstull
  { latitude: 59.3105, longitude: 18.029, speedMps: 14 }, // Liljeholmsbron
  { latitude: 59.3005, longitude: 18.0485, speedMps: 16 }, // Årsta
  { latitude: 59.299, longitude: 18.081, speedMps: 10 }, // Gullmarsplan
  { latitude: 59.3075, longitude: 18.0765, speedMps: 11 }, // Skanstull
  { latitude: 59.3145, longitude: 18.0735, speedMps: 7 }, // Medborgarplatsen
];

interface Leg {
  readonly from: Waypoint;
  readonly to: Waypoint;
  readonly startS: number;
  readonly durationS: number;
  readonly headingDeg: number;
}

export class Route {
  readonly lengthM: number;
  /** Seconds for one round. */
  readonly loopSeconds: number;
  private readonly legs: readonly Leg[];

  constructor(waypoints: readonly Waypoint[] = SODERMALM_LOOP) {
    if (waypoints.length < 2) throw new RangeError('a route needs at least two waypoints');
    const legs: Leg[] = [];
    let startS = 0;
    let lengthM = 0;
    waypoints.forEach((from, i) => {
      const to = waypoints[(i + 1) % waypoints.length] as Waypoint;
      if (!(from.speedMps > 0)) throw new RangeError(`waypoint ${i} has no speed`);
      const length = distanceM(from, to);
      const durationS = length / from.speedMps;
      legs.push({ from, to, startS, durationS, headingDeg: bearingDeg(from, to) });
      startS += durationS;
      lengthM += length;
    });
    this.legs = legs;
    this.lengthM = lengthM;
    this.loopSeconds = startS;
  }

  /** Where the vehicle is `elapsedS` seconds after passing the first waypoint. */
  at(elapsedS: number): RouteFix {
    const t = ((elapsedS % this.loopSeconds) + this.loopSeconds) % this.loopSeconds;
    let leg = this.legs[0] as Leg;
    for (const candidate of this.legs) {
      leg = candidate;
      if (t < candidate.startS + candidate.durationS) break;
    }
    const f = leg.durationS > 0 ? Math.min(1, (t - leg.startS) / leg.durationS) : 0;
    // Legs are a kilometre or two: linear interpolation in degrees is well inside GPS accuracy.
    return {
      latitude: leg.from.latitude + f * (leg.to.latitude - leg.from.latitude),
      longitude: leg.from.longitude + f * (leg.to.longitude - leg.from.longitude),
      headingDeg: leg.headingDeg,
      speedMps: leg.from.speedMps,
    };
  }

  /** A vehicle's own place on the loop, so a fleet does not drive in one convoy. */
  startOffsetS(serial: string): number {
    return new SeededRandom(`route:${serial}`).between(0, this.loopSeconds);
  }
}

/** The plant the fixed sensors stand in (Hammarby sjöstad's industrial strip). */
export const PLANT_SITE: LatLon = { latitude: 59.3025, longitude: 18.1045 };

/** A fixed sensor's position: within about 300 m of the plant, the same on every run. */
export function fixedPosition(serial: string, site: LatLon = PLANT_SITE): LatLon {
  const random = new SeededRandom(`site:${serial}`);
  const northM = random.between(-300, 300);
  const eastM = random.between(-300, 300);
  return {
    latitude: site.latitude + deg(northM / EARTH_RADIUS_M),
    longitude: site.longitude + deg(eastM / (EARTH_RADIUS_M * Math.cos(rad(site.latitude)))),
  };
}
