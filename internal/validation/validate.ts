// Checks of device messages and operator input. Each throws a ValidationError naming the field,
// so the caller can dead-letter the message with that reason or answer a 4xx naming it.
import type {
  CommandAck,
  Location,
  LogLine,
  MeasurementBatch,
  Registration,
} from '../routing/index.js';
import {
  LOG_LEVELS,
  MAX_ACK_REASON_CHARS,
  MAX_FIRMWARE_VERSION_CHARS,
  MAX_BATCH_SAMPLES,
  MAX_BATCH_DURATION_MS,
  MAX_CLOCK_SKEW_MS,
  MAX_LOG_FIELDS,
  MAX_LOG_MESSAGE_CHARS,
  MAX_MESSAGE_BYTES,
  MAX_SAMPLE_FREQUENCY_HZ,
  MIN_SAMPLE_FREQUENCY_HZ,
  MIN_TIMESTAMP_MS,
  SERIAL_PATTERN,
} from './bounds.js';
import { ValidationError } from './errors.js';
import { cleanDeviceText } from './text.js';

export function validateSerial(serial: unknown, field = 'serial'): string {
  if (typeof serial !== 'string' || !SERIAL_PATTERN.test(serial)) {
    throw new ValidationError(
      field,
      `${JSON.stringify(serial)} is not a serial number (1-32 of A-Z a-z 0-9 -, at least one letter)`,
    );
  }
  return serial;
}

export function validateSampleFrequency(hz: unknown, field = 'sample_frequency'): number {
  if (typeof hz !== 'number' || !Number.isFinite(hz)) {
    throw new ValidationError(field, `must be a finite number of Hz, got ${String(hz)}`);
  }
  if (hz < MIN_SAMPLE_FREQUENCY_HZ || hz > MAX_SAMPLE_FREQUENCY_HZ) {
    throw new ValidationError(
      field,
      `${hz} Hz is outside ${MIN_SAMPLE_FREQUENCY_HZ}-${MAX_SAMPLE_FREQUENCY_HZ} Hz`,
    );
  }
  return hz;
}

export function validateMessageSize(bytes: number): void {
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new ValidationError('message', `${bytes} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  }
}

/** The serial inside a message must be the one its routing key (its broker user) names. */
export function validateSameSerial(messageSerial: string, keySerial: string | undefined): void {
  if (keySerial !== undefined && messageSerial !== keySerial) {
    throw new ValidationError(
      'serial',
      `message says ${messageSerial} but was published as ${keySerial}`,
    );
  }
}

function validateTimeMs(ms: number, field: string, nowMs: number): void {
  if (!Number.isFinite(ms) || ms < MIN_TIMESTAMP_MS || ms > nowMs + MAX_CLOCK_SKEW_MS) {
    throw new ValidationError(field, `${ms} is not a plausible time (device clock unset or ahead)`);
  }
}

/** A device's free text: refused when longer than `max`, unsafe characters replaced. */
function boundedDeviceText(text: string, field: string, max: number): string {
  if (text.length > max) {
    throw new ValidationError(field, `${text.length} characters exceeds ${max}`);
  }
  return cleanDeviceText(text);
}

/**
 * A device's report time: 0 (older firmware) or plausible. A time far ahead would make every
 * later report of that device look older, so it is refused like a batch's start time.
 */
function validateReportTimeMs(ms: number, field: string, nowMs: number): void {
  if (ms !== 0) validateTimeMs(ms, field, nowMs);
}

/** The registration with its firmware version bounded and cleaned (text.ts). */
export function validateRegistration(r: Registration, nowMs = Date.now()): Registration {
  validateSerial(r.serial);
  validateReportTimeMs(r.reportedAtMs, 'reported_at_ms', nowMs);
  const firmwareVersion = boundedDeviceText(
    r.firmwareVersion,
    'firmware_version',
    MAX_FIRMWARE_VERSION_CHARS,
  );
  validateSampleFrequency(r.sampleFrequencyHz, 'sample_frequency_hz');
  if (r.mount !== 'fixed' && r.mount !== 'mobile') {
    throw new ValidationError(
      'mount',
      `must be "fixed" or "mobile", got ${JSON.stringify(r.mount)}`,
    );
  }
  if (r.state !== '' && r.state !== 'awake' && r.state !== 'asleep') {
    throw new ValidationError(
      'state',
      `must be "awake" or "asleep", got ${JSON.stringify(r.state)}`,
    );
  }
  return { ...r, firmwareVersion };
}

/** A command's ack with its reason bounded and cleaned; the command id is matched later. */
export function validateCommandAck(a: CommandAck, nowMs = Date.now()): CommandAck {
  validateSerial(a.serial);
  validateReportTimeMs(a.atMs, 'at_ms', nowMs);
  return { ...a, reason: boundedDeviceText(a.reason, 'reason', MAX_ACK_REASON_CHARS) };
}

export function validateMeasurementBatch(
  b: MeasurementBatch,
  nowMs = Date.now(),
): MeasurementBatch {
  validateSerial(b.serial);
  if (!Number.isSafeInteger(b.sequence) || b.sequence < 1) {
    throw new ValidationError('sequence', `must be a positive integer, got ${b.sequence}`);
  }
  validateSampleFrequency(b.sampleRateHz, 'sample_rate_hz');
  validateTimeMs(b.startTimeUs / 1000, 'start_time_us', nowMs);
  if (b.values.length === 0)
    throw new ValidationError('values', 'a batch needs at least one value');
  if (b.values.length > MAX_BATCH_SAMPLES) {
    throw new ValidationError('values', `${b.values.length} samples exceeds ${MAX_BATCH_SAMPLES}`);
  }
  const durationMs = (b.values.length * 1000) / b.sampleRateHz;
  if (durationMs > MAX_BATCH_DURATION_MS) {
    throw new ValidationError(
      'values',
      `${b.values.length} samples at ${b.sampleRateHz} Hz last ${durationMs / 1000} s, over ${MAX_BATCH_DURATION_MS / 1000} s`,
    );
  }
  // Its end (where the next sample would lie) too must not lie beyond the allowed clock skew.
  validateTimeMs(b.startTimeUs / 1000 + durationMs, 'values (end time)', nowMs);
  for (let i = 0; i < b.values.length; i++) {
    if (!Number.isFinite(b.values[i])) {
      throw new ValidationError(`values[${i}]`, `${String(b.values[i])} is not a finite number`);
    }
  }
  return b;
}

export function validateLocation(l: Location, nowMs = Date.now()): Location {
  validateSerial(l.serial);
  validateTimeMs(l.timeMs, 'time_ms', nowMs);
  if (!(Math.abs(l.latitude) <= 90)) {
    throw new ValidationError('latitude', `${l.latitude} is outside -90..90`);
  }
  if (!(Math.abs(l.longitude) <= 180)) {
    throw new ValidationError('longitude', `${l.longitude} is outside -180..180`);
  }
  for (const field of ['altitudeM', 'speedMps', 'headingDeg', 'accuracyM'] as const) {
    if (!Number.isFinite(l[field])) throw new ValidationError(field, 'is not a finite number');
  }
  return l;
}

export function validateLogLine(l: LogLine, nowMs = Date.now()): LogLine {
  validateSerial(l.serial);
  validateTimeMs(l.timeMs, 'time_ms', nowMs);
  if (!(LOG_LEVELS as readonly string[]).includes(l.level)) {
    throw new ValidationError('level', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (l.message.length > MAX_LOG_MESSAGE_CHARS) {
    throw new ValidationError('message', `longer than ${MAX_LOG_MESSAGE_CHARS} characters`);
  }
  if (Object.keys(l.fields).length > MAX_LOG_FIELDS) {
    throw new ValidationError('fields', `more than ${MAX_LOG_FIELDS} fields`);
  }
  return l;
}
