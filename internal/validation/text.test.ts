import { describe, expect, it } from 'vitest';
import type { CommandAck, Registration } from '../routing/index.js';
import { MAX_ACK_REASON_CHARS, MAX_FIRMWARE_VERSION_CHARS } from './bounds.js';
import { SAFE_NAME_PATTERN, cleanDeviceText, hasUnsafeText } from './text.js';
import { validateCommandAck, validateRegistration } from './validate.js';

const safeName = new RegExp(SAFE_NAME_PATTERN, 'u');

describe('names', () => {
  it.each(['pump 1', 'Lüfter-Süd', '泵 3', 'a/b', 'x'])('accepts %j', (name) => {
    expect(safeName.test(name)).toBe(true);
    expect(hasUnsafeText(name)).toBe(false);
  });
  it.each([
    ['NUL', 'a\u0000b'],
    ['escape', '\u001b[2J'],
    ['tab', 'a\tb'],
    ['DEL', 'a\u007f'],
    ['C1 control', 'a\u0085'],
    ['right-to-left override', 'abc\u202edcb'],
    ['first strong isolate', '\u2068x'],
    ['zero-width joiner', 'a\u200db'],
    ['paragraph separator', 'a\u2029b'],
    ['leading space', ' pump'],
    ['empty', ''],
  ])('refuses %s', (_case, name) => {
    expect(safeName.test(name)).toBe(false);
  });
});

describe('cleanDeviceText', () => {
  it('replaces each unsafe character with U+FFFD and keeps the rest', () => {
    expect(cleanDeviceText('v1\u0000.2\u202e-rc')).toBe('v1\uFFFD.2\uFFFD-rc');
    expect(cleanDeviceText('2.14.3+build.7')).toBe('2.14.3+build.7');
  });
});

const registration = (over: Partial<Registration> = {}): Registration => ({
  schemaVersion: 1,
  serial: 'AAD-1123',
  sampleFrequencyHz: 1000,
  firmwareVersion: '1.0.0',
  mount: 'fixed',
  bootedAtMs: 0,
  reportedAtMs: 0,
  state: 'awake',
  ...over,
});

const commandAck = (over: Partial<CommandAck> = {}): CommandAck => ({
  schemaVersion: 1,
  serial: 'AAD-1123',
  commandId: '00000000-0000-4000-8000-000000000000',
  outcome: 'rejected',
  reason: 'busy',
  atMs: 0,
  ...over,
});

describe('device strings before the database', () => {
  it('a registration firmware version is cleaned of NULs and bidi overrides', () => {
    const clean = validateRegistration(registration({ firmwareVersion: '1.0\u0000\u202e' }));
    expect(clean.firmwareVersion).toBe('1.0\uFFFD\uFFFD');
  });
  it('a firmware version over the bound is refused, naming the field', () => {
    const long = 'x'.repeat(MAX_FIRMWARE_VERSION_CHARS + 1);
    expect(() => validateRegistration(registration({ firmwareVersion: long }))).toThrowError(
      /^firmware_version: 65 characters exceeds 64$/,
    );
  });
  it('an ack reason is cleaned and bounded', () => {
    expect(validateCommandAck(commandAck({ reason: 'no\u0000pe' })).reason).toBe('no\uFFFDpe');
    const long = 'x'.repeat(MAX_ACK_REASON_CHARS + 1);
    expect(() => validateCommandAck(commandAck({ reason: long }))).toThrowError(/^reason: /);
  });
});
