// TypeScript shapes of messages.proto (camelCase, as protobufjs names them). 64-bit fields
// are plain numbers: microsecond timestamps stay far below 2^53 until the year 2255.

export interface Registration {
  schemaVersion: number;
  serial: string;
  sampleFrequencyHz: number;
  firmwareVersion: string;
  mount: 'fixed' | 'mobile' | '';
  bootedAtMs: number;
  /** What the device runs as now; '' from older firmware, meaning awake. */
  state: 'awake' | 'asleep' | '';
  /** When the device encoded it (its clock); 0 from older firmware. Orders it against acks. */
  reportedAtMs: number;
}

export interface MeasurementBatch {
  schemaVersion: number;
  serial: string;
  sequence: number;
  startTimeUs: number;
  sampleRateHz: number;
  values: number[];
  publishedAtMs: number;
}

export interface Location {
  schemaVersion: number;
  serial: string;
  timeMs: number;
  latitude: number;
  longitude: number;
  altitudeM: number;
  speedMps: number;
  headingDeg: number;
  accuracyM: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  schemaVersion: number;
  serial: string;
  timeMs: number;
  level: string;
  message: string;
  fields: Record<string, string>;
}

export type CommandAction =
  { type: 'sleep' } | { type: 'awake' } | { type: 'set_sample_frequency'; hz: number };

export interface Command {
  schemaVersion: number;
  id: string;
  issuedAtMs: number;
  expiresAtMs: number;
  action: CommandAction;
}

export type AckOutcome = 'applied' | 'rejected' | 'expired';

export interface CommandAck {
  schemaVersion: number;
  serial: string;
  commandId: string;
  outcome: AckOutcome;
  reason: string;
  atMs: number;
}

/** What sensor-analytics publishes per window; null where the proto field is absent or "". */
export interface FeatureEvent {
  schemaVersion: number;
  serial: string;
  windowStartUs: number;
  windowEndUs: number;
  sampleRateHz: number;
  accelerationRmsG: number;
  accelerationPeakG: number;
  crestFactor: number;
  kurtosis: number;
  velocityRmsMmS: number | null;
  isoClass: string | null;
  isoZone: string | null;
  dominantHz: number;
  diagnosis: string | null;
  diagnosisEvidence: string | null;
  anomalyScore: number | null;
  baselineStatus: string;
  publishedAtMs: number;
  analysedAtMs: number;
  bpfoStrength: number | null;
  bpfiStrength: number | null;
  bsfStrength: number | null;
  ftfStrength: number | null;
}
