import { describe, expect, it } from 'vitest';
import type { MeasurementBatch } from '../routing/index.js';
import { MAX_BATCH_SAMPLES, MAX_CLOCK_SKEW_MS, MAX_MESSAGE_BYTES } from './bounds.js';
import {
  validateCommandAck,
  validateLocation,
  validateLogLine,
  validateMeasurementBatch,
  validateMessageSize,
  validateRegistration,
  validateSameSerial,
  validateSampleFrequency,
  validateSerial,
} from './validate.js';

const now = Date.UTC(2026, 10, 22, 12);

describe('validateSerial', () => {
  it.each(['AAD-1123', 'a', 'Z9', 'x'.repeat(32), '1-2-A'])('accepts %s', (serial) => {
    expect(validateSerial(serial)).toBe(serial);
  });
  it.each([
    ['empty', ''],
    ['digits only', '1234'],
    ['33 characters', 'A'.repeat(33)],
    ['a dot (would split the routing key)', 'AAD.1123'],
    ['a slash (would split the MQTT topic)', 'AAD/1123'],
    ['an MQTT wildcard', 'AAD+'],
    ['a space', 'AAD 1'],
    ['not a string', 42],
  ])('refuses %s', (_name, serial) => {
    expect(() => validateSerial(serial)).toThrowError(/serial/);
  });
});

describe('validateSampleFrequency', () => {
  it.each([1, 200, 1000, 25_600])('accepts %d Hz', (hz) => {
    expect(validateSampleFrequency(hz)).toBe(hz);
  });
  it.each([0, 0.5, -10, 25_601, NaN, Infinity, '100'])('refuses %s', (hz) => {
    expect(() => validateSampleFrequency(hz, 'hz')).toThrowError(/^hz: /);
  });
});

const batch = (over: Partial<MeasurementBatch> = {}): MeasurementBatch => ({
  schemaVersion: 1,
  serial: 'AAD-1123',
  sequence: 1,
  startTimeUs: (now - 1000) * 1000,
  sampleRateHz: 1000,
  values: [0.1, -0.2],
  publishedAtMs: now,
  ...over,
});

describe('validateMeasurementBatch', () => {
  it('accepts a plausible batch', () => {
    expect(validateMeasurementBatch(batch(), now)).toEqual(batch());
  });
  it.each([
    ['NaN value', { values: [1, NaN] }, 'values[1]'],
    ['infinite value', { values: [Infinity] }, 'values[0]'],
    ['no values', { values: [] }, 'values'],
    ['too many values', { values: new Array<number>(MAX_BATCH_SAMPLES + 1).fill(0) }, 'values'],
    ['sequence 0', { sequence: 0 }, 'sequence'],
    ['fractional sequence', { sequence: 1.5 }, 'sequence'],
    ['rate 0', { sampleRateHz: 0 }, 'sample_rate_hz'],
    ['unset clock', { startTimeUs: 0 }, 'start_time_us'],
    ['clock an hour ahead', { startTimeUs: (now + 3_600_000) * 1000 }, 'start_time_us'],
    ['bad serial', { serial: 'a.b' }, 'serial'],
    // 1,000 samples at 1 Hz: 16 min 40 s, longer than a batch may last.
    [
      'a block over ten minutes',
      { sampleRateHz: 1, values: new Array<number>(1000).fill(0) },
      'values',
    ],
    // Starts 4 min 59 s ahead, inside the 5 min skew, but its 2 s run past it.
    [
      'an end beyond the clock skew',
      { startTimeUs: (now + 299_000) * 1000, sampleRateHz: 1, values: [0, 0] },
      'values (end time)',
    ],
  ] as const)('refuses %s, naming %s', (_name, over, field) => {
    expect(() => validateMeasurementBatch(batch(over as Partial<MeasurementBatch>), now)).toThrow(
      expect.objectContaining({ field }) as Error,
    );
  });
});

describe('other messages', () => {
  const location = {
    schemaVersion: 1,
    serial: 'TRUCK-1',
    timeMs: now,
    latitude: 59.3,
    longitude: 18.1,
    altitudeM: 0,
    speedMps: 1,
    headingDeg: 0,
    accuracyM: 5,
  };
  it.each([
    [{}, undefined],
    [{ latitude: 91 }, 'latitude'],
    [{ longitude: -180.5 }, 'longitude'],
    [{ latitude: NaN }, 'latitude'],
    [{ speedMps: Infinity }, 'speedMps'],
  ])('location %o → %s', (over, field) => {
    const check = () => validateLocation({ ...location, ...over }, now);
    if (field) expect(check).toThrow(expect.objectContaining({ field }) as Error);
    else expect(check()).toBeTruthy();
  });

  const log = {
    schemaVersion: 1,
    serial: 'A1',
    timeMs: now,
    level: 'info',
    message: 'x',
    fields: {},
  };
  it.each([
    [{}, undefined],
    [{ level: 'trace' }, 'level'],
    [{ message: 'x'.repeat(5000) }, 'message'],
  ])('log line %o → %s', (over, field) => {
    const check = () => validateLogLine({ ...log, ...over }, now);
    if (field) expect(check).toThrow(expect.objectContaining({ field }) as Error);
    else expect(check()).toBeTruthy();
  });

  const registration = {
    schemaVersion: 1,
    serial: 'A1',
    sampleFrequencyHz: 100,
    firmwareVersion: '1',
    mount: 'fixed' as const,
    bootedAtMs: now,
    reportedAtMs: now,
    state: 'awake' as const,
  };
  it.each([
    [{}, undefined],
    [{ state: '' }, undefined],
    [{ state: 'asleep' }, undefined],
    [{ state: 'dozing' }, 'state'],
    [{ mount: '' }, 'mount'],
    [{ sampleFrequencyHz: 1e9 }, 'sample_frequency_hz'],
    [{ reportedAtMs: 0 }, undefined],
    [{ reportedAtMs: now + MAX_CLOCK_SKEW_MS + 1 }, 'reported_at_ms'],
    [{ reportedAtMs: 1 }, 'reported_at_ms'],
  ])('registration %o → %s', (over, field) => {
    const check = () =>
      validateRegistration({ ...registration, ...over } as typeof registration, now);
    if (field) expect(check).toThrow(expect.objectContaining({ field }) as Error);
    else expect(check()).toBeTruthy();
  });

  const commandAck = {
    schemaVersion: 1,
    serial: 'A1',
    commandId: '0b6f3c52-8f3d-4c1e-9a55-6a0b7e2d1c11',
    outcome: 'applied' as const,
    reason: '',
    atMs: now,
  };
  it.each([
    [{}, undefined],
    [{ atMs: 0 }, undefined],
    [{ atMs: now + MAX_CLOCK_SKEW_MS + 1 }, 'at_ms'],
  ])('command ack %o → %s', (over, field) => {
    const check = () => validateCommandAck({ ...commandAck, ...over }, now);
    if (field) expect(check).toThrow(expect.objectContaining({ field }) as Error);
    else expect(check()).toBeTruthy();
  });

  it('refuses a message whose serial is not its publisher', () => {
    expect(() => validateSameSerial('A1', 'B2')).toThrowError(/published as B2/);
    expect(() => validateSameSerial('A1', 'A1')).not.toThrow();
  });

  it('caps message size', () => {
    expect(() => validateMessageSize(MAX_MESSAGE_BYTES + 1)).toThrowError(/exceeds/);
    expect(() => validateMessageSize(MAX_MESSAGE_BYTES)).not.toThrow();
  });
});
