import { describe, expect, it } from 'vitest';
import { parseTimeBound } from './arguments.js';
import {
  formatBearing,
  machineBody,
  parseBearing,
  parseController,
  parseRpm,
} from './machine-options.js';

describe('parseRpm', () => {
  it.each([
    ['1797', 1797],
    ['1480.5', 1480.5],
    ['100000', 100_000],
  ])('%s → %d', (raw, rpm) => expect(parseRpm(raw)).toBe(rpm));
  it.each(['0', '-5', '100001', 'fast', '1e3', ''])('refuses %j', (raw) =>
    expect(() => parseRpm(raw)).toThrow(/revolutions per minute/),
  );
});

describe('parseBearing', () => {
  it.each([
    [
      'balls=9,ball-mm=7.94,pitch-mm=39.04',
      { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 },
    ],
    [
      'pitch-mm=39, balls=9, ball-mm=7, angle=15',
      { balls: 9, ballMm: 7, pitchMm: 39, angleDeg: 15 },
    ],
  ])('%s', (raw, bearing) => expect(parseBearing(raw)).toEqual(bearing));

  it.each([
    ['balls=9,ball-mm=7.94', /balls, ball-mm and pitch-mm are needed/],
    ['balls=9,ball-mm=7,pitch-mm=39,rollers=3', /"rollers=3" is not/],
    ['balls=9,balls=8,ball-mm=7,pitch-mm=39', /balls is given twice/],
    ['balls=9.5,ball-mm=7,pitch-mm=39', /balls must be a whole number/],
    ['balls=0,ball-mm=7,pitch-mm=39', /balls must be a whole number, 1-100/],
    ['balls=9,ball-mm=x,pitch-mm=39', /ball-mm must be above 0/],
    ['balls=9,ball-mm=7,pitch-mm=20000', /pitch-mm must be above 0 and at most 10000/],
    ['balls=9,ball-mm=40,pitch-mm=39', /ball-mm must be less than pitch-mm/],
    ['balls=9,ball-mm=7,pitch-mm=39,angle=90', /angle must be degrees/],
    ['9,7,39', /Must be balls=N,ball-mm=D,pitch-mm=P/],
  ])('refuses %s', (raw, message) => expect(() => parseBearing(raw)).toThrow(message));
});

describe('parseController', () => {
  it.each(['plc-7:50051', 'plc-7.factory.local:1', '10.0.0.7:65535', '[::1]:9000'])(
    'takes %s',
    (raw) => expect(parseController(raw)).toBe(raw),
  );
  it.each(['plc-7', 'plc-7:0', 'plc-7:65536', ':50051', 'http://plc:50051', 'a b:1'])(
    'refuses %s',
    (raw) => expect(() => parseController(raw)).toThrow(/HOST:PORT/),
  );
});

describe('machineBody', () => {
  it('sends the flags given, none as null, nothing for the rest', () => {
    expect(machineBody({})).toEqual({});
    expect(machineBody({ rpm: 1500, isoClass: 'none', controller: null, bearing: null })).toEqual({
      rpm: 1500,
      isoClass: null,
      controllerAddress: null,
      bearing: null,
    });
    expect(machineBody({ isoClass: 'II' })).toEqual({ isoClass: 'II' });
  });
  it('formats a bearing', () => {
    expect(formatBearing({ balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 })).toBe(
      '9 balls, 7.94/39.04 mm, 0°',
    );
  });
});

describe('parseTimeBound', () => {
  it.each([
    ['1h', { agoMs: 3_600_000 }],
    ['90s', { agoMs: 90_000 }],
    ['2026-01-01T00:00:00Z', { at: '2026-01-01T00:00:00.000Z' }],
    ['2026-01-01T01:00:00+01:00', { at: '2026-01-01T00:00:00.000Z' }],
  ])('%s', (raw, bound) => expect(parseTimeBound(raw)).toEqual(bound));
  it.each(['yesterday', '2026-01-01', '2026-01-01T00:00:00', '1d'])('refuses %s', (raw) =>
    expect(() => parseTimeBound(raw)).toThrow(/duration before now/),
  );
});
