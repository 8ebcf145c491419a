import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import {
  commandAckCodec,
  commandCodec,
  featureEventCodec,
  locationCodec,
  logLineCodec,
  measurementBatchCodec,
  protoPath,
  registrationCodec,
} from './codec.js';
import type { Codec } from './codec.js';
import { RoutingError, SCHEMA_VERSION } from './errors.js';

const sampleBatch = {
  serial: 'AAD-1123',
  sequence: 9_007_199_254,
  startTimeUs: 1_763_846_400_123_456,
  sampleRateHz: 1000,
  values: [0.5, -1.25, 3],
  publishedAtMs: 1_763_846_401_000,
};

const sampleFeatures = {
  serial: 'AAD-1123',
  windowStartUs: 1_763_846_400_000_000,
  windowEndUs: 1_763_846_401_000_000,
  sampleRateHz: 25_600,
  accelerationRmsG: 0.71,
  accelerationPeakG: 2.5,
  crestFactor: 3.5,
  kurtosis: 9.2,
  velocityRmsMmS: 1.9,
  isoClass: 'group2-rigid',
  isoZone: 'B',
  dominantHz: 24.7,
  diagnosis: 'bearing_outer_race',
  diagnosisEvidence: 'BPFO 88.6 Hz stands 12× over its neighbourhood',
  anomalyScore: 7.5,
  baselineStatus: 'ready',
  publishedAtMs: 1_763_846_401_002,
  analysedAtMs: 1_763_846_401_020,
  bpfoStrength: 12.1,
  bpfiStrength: 1.3,
  bsfStrength: null,
  ftfStrength: 0.9,
};

// Each codec is exercised through the same loose signature; the messages are typed by the codec.
type AnyCodec = Codec<{ schemaVersion: number }>;
const roundTrips: { name: string; codec: AnyCodec; message: object }[] = [
  {
    name: 'Registration',
    codec: registrationCodec,
    message: {
      serial: 'AAD-1123',
      sampleFrequencyHz: 1000,
      firmwareVersion: '2.4.1',
      mount: 'fixed',
      bootedAtMs: 1_763_846_400_000,
      reportedAtMs: 1_763_846_401_000,
      state: 'asleep',
    },
  },
  { name: 'MeasurementBatch', codec: measurementBatchCodec, message: sampleBatch },
  {
    name: 'Location',
    codec: locationCodec,
    message: {
      serial: 'TRUCK-7',
      timeMs: 1_763_846_400_000,
      latitude: 59.3293,
      longitude: 18.0686,
      altitudeM: 12.5,
      speedMps: 13.9,
      headingDeg: 270,
      accuracyM: 3,
    },
  },
  {
    name: 'LogLine',
    codec: logLineCodec,
    message: {
      serial: 'AAD-1123',
      timeMs: 1_763_846_400_000,
      level: 'info',
      message: 'self-test passed',
      fields: { stage: 'boot' },
    },
  },
  {
    name: 'Command (sleep)',
    codec: commandCodec,
    message: {
      id: '5f0c1e9e-2d7a-4c1b-9a59-0e8f1f3c2b11',
      issuedAtMs: 1_763_846_400_000,
      expiresAtMs: 1_763_846_460_000,
      action: { type: 'sleep' },
    },
  },
  {
    name: 'Command (set_sample_frequency)',
    codec: commandCodec,
    message: {
      id: 'c2',
      issuedAtMs: 1,
      expiresAtMs: 2,
      action: { type: 'set_sample_frequency', hz: 200 },
    },
  },
  {
    name: 'CommandAck',
    codec: commandAckCodec,
    message: {
      serial: 'AAD-1123',
      commandId: 'c2',
      outcome: 'rejected',
      reason: 'frequency above hardware limit',
      atMs: 3,
    },
  },
  { name: 'FeatureEvent', codec: featureEventCodec, message: sampleFeatures },
  {
    name: 'FeatureEvent (no velocity, zone, diagnosis or score)',
    codec: featureEventCodec,
    message: {
      ...sampleFeatures,
      velocityRmsMmS: null,
      isoClass: null,
      isoZone: null,
      diagnosis: null,
      diagnosisEvidence: null,
      anomalyScore: null,
      baselineStatus: 'learning',
    },
  },
  {
    name: 'FeatureEvent (a score of exactly 0)',
    codec: featureEventCodec,
    message: { ...sampleFeatures, anomalyScore: 0, velocityRmsMmS: 0 },
  },
];

describe('routing codecs', () => {
  it.each(roundTrips)('$name survives a round trip', ({ codec, message }) => {
    const decoded = codec.decode(codec.encode(message));
    expect(decoded).toEqual({ ...message, schemaVersion: SCHEMA_VERSION });
  });

  it.each(roundTrips)('$name with a foreign schema version is refused', ({ codec, message }) => {
    const bytes = codec.encode({ ...message, schemaVersion: 2 });
    expect(() => codec.decode(bytes)).toThrowError(
      expect.objectContaining({ code: 'SCHEMA_VERSION_UNSUPPORTED' }) as Error,
    );
  });

  it('a message without schema_version (0) is refused', () => {
    const type = protobuf.loadSync(protoPath).lookupType('iot.v1.MeasurementBatch');
    const bytes = type.encode({ serial: 'X1', sequence: 1 }).finish();
    expect(() => measurementBatchCodec.decode(bytes)).toThrowError(/schema_version 0/);
  });

  it.each([
    ['random garbage', Buffer.from('definitely not protobuf \xff\xfe')],
    ['a truncated batch', measurementBatchCodec.encode(sampleBatch).slice(0, 20)],
  ])('%s is an UndecodableMessageError', (_name, bytes) => {
    let thrown: unknown;
    try {
      measurementBatchCodec.decode(bytes);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RoutingError);
    expect((thrown as RoutingError).code).toBe('MESSAGE_UNDECODABLE');
  });

  it('a command without an action is undecodable', () => {
    const type = protobuf.loadSync(protoPath).lookupType('iot.v1.Command');
    const bytes = type.encode({ schemaVersion: 1, id: 'x' }).finish();
    expect(() => commandCodec.decode(bytes)).toThrowError(/no action/);
  });

  it('packs a batch of 1000 samples in about 4 bytes each', () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    const bytes = measurementBatchCodec.encode({ ...sampleBatch, values });
    expect(bytes.length).toBeLessThan(4100);
    expect(measurementBatchCodec.decode(bytes).values).toHaveLength(1000);
  });
});
