// What sensor-alarms tells the operator's live view, through PostgreSQL NOTIFY on one channel
// (delivered on commit, to every iot-api replica that LISTENs): a window's features, an alarm
// that changed (read back by id), a sensor whose connectivity changed. NOTIFY payloads are
// limited to 8000 bytes; the largest of these, a feature, is under 1 kB.
import type { Static } from 'typebox';
import type { Feature } from '../api-contract/index.js';
import type { FeatureEvent } from '../routing/index.js';

export const LIVE_CHANNEL = 'iot_live';

export type LiveFeature = Static<typeof Feature>;
export type Connectivity = 'online' | 'stale' | 'offline';

export type LiveEvent =
  | { type: 'feature'; organizationId: string; serial: string; feature: LiveFeature }
  | { type: 'alarm'; organizationId: string; serial: string; alarmId: string }
  | {
      type: 'connectivity';
      organizationId: string;
      serial: string;
      connectivity: Connectivity;
      previous: Connectivity | null;
    };

const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();

/** A window's features as the API shows them (GET /sensors/:serial/features). */
export function liveFeature(event: FeatureEvent): LiveFeature {
  return {
    windowStart: iso(event.windowStartUs),
    windowEnd: iso(event.windowEndUs),
    sampleRateHz: event.sampleRateHz,
    accelerationRmsG: event.accelerationRmsG,
    accelerationPeakG: event.accelerationPeakG,
    crestFactor: event.crestFactor,
    kurtosis: event.kurtosis,
    velocityRmsMmS: event.velocityRmsMmS,
    isoClass: event.isoClass,
    isoZone: event.isoZone as LiveFeature['isoZone'],
    dominantHz: event.dominantHz,
    diagnosis: event.diagnosis,
    diagnosisEvidence: event.diagnosisEvidence,
    anomalyScore: event.anomalyScore,
    baselineStatus: event.baselineStatus as LiveFeature['baselineStatus'],
    bpfoStrength: event.bpfoStrength,
    bpfiStrength: event.bpfiStrength,
    bsfStrength: event.bsfStrength,
    ftfStrength: event.ftfStrength,
  };
}

/** Parses a NOTIFY payload; undefined for anything that is not one of ours. */
export function parseLiveEvent(payload: string): LiveEvent | undefined {
  try {
    const event = JSON.parse(payload) as Partial<LiveEvent>;
    if (typeof event.organizationId !== 'string' || typeof event.serial !== 'string') {
      return undefined;
    }
    if (event.type === 'feature' || event.type === 'alarm' || event.type === 'connectivity') {
      return event as LiveEvent;
    }
  } catch {
    // not JSON: not ours
  }
  return undefined;
}
