import { describe, expect, it } from 'vitest';
import { analyzeWindow } from './analyze-window.js';
import { gaussianAt, streamKey } from './seeded-noise.js';
import { signalQuality, type SensorFaultKind } from './signal-quality.js';
import { centerWindow, timeStatistics } from './time-statistics.js';

const RATE = 1000;

function noise(sigma: number, seed = 5): Float32Array {
  const key = streamKey(seed, 1);
  return Float32Array.from({ length: RATE }, (_, i) => sigma * gaussianAt(key, i));
}

function sine(amplitude: number, hz: number): Float32Array {
  return Float32Array.from(
    { length: RATE },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / RATE),
  );
}

/** Rounds to a converter's codes of `step` g (±1 g full scale over 16 bits: 2/65,536). */
const quantised = (x: Float32Array, step: number): Float32Array =>
  x.map((v) => Math.round(v / step) * step);

const clip = (x: Float32Array, limit: number): Float32Array =>
  x.map((v) => Math.max(-limit, Math.min(limit, v)));

function withGap(x: Float32Array, start: number, length: number, value: number): Float32Array {
  const y = x.slice();
  y.fill(value, start, start + length);
  return y;
}

const quality = (x: Float32Array) =>
  signalQuality(x, timeStatistics(centerWindow(x).centered).rmsG);

describe('signalQuality', () => {
  it.each([
    ['all zeros', 'flat-line', new Float32Array(RATE)],
    ['a constant offset', 'flat-line', new Float32Array(RATE).fill(0.98)],
    ['noise of 1 µg RMS (below any live sensor)', 'flat-line', noise(1e-6)],
    ['a sine clipped at 80 % of its amplitude', 'clipping', clip(sine(1, 30), 0.8)],
    ['noise clipped at 2σ', 'clipping', clip(noise(0.1), 0.2)],
    [
      'noise clipped on one side only, at 2.5σ',
      'clipping',
      noise(0.1).map((v) => Math.min(v, 0.25)),
    ],
    ['a 50-sample gap filled with zeros', 'dropout', withGap(noise(0.1), 400, 50, 0)],
    ['a 20-sample held value', 'dropout', withGap(noise(0.1), 100, 20, 0.0123)],
    ['one NaN sample', 'dropout', withGap(noise(0.1), 10, 1, Number.NaN)],
    ['healthy noise', null, noise(0.1)],
    ['a sine that repeats its exact maximum every period', null, sine(1, 50)],
    [
      'a sine quantised to 16-bit codes (top code ≈ 2.4× the next)',
      null,
      quantised(sine(0.02, 30), 2 / 65_536),
    ],
    ['a 15-sample held value (below DROPOUT_MIN_RUN)', null, withGap(noise(0.1), 100, 15, 0.0123)],
    ['noise of 20 µg RMS', null, noise(2e-5)],
  ] as [string, SensorFaultKind | null, Float32Array][])('%s → %s', (_name, fault, x) => {
    expect(quality(x).fault).toBe(fault);
  });

  it('counts the clipped samples', () => {
    // 30 Hz at 1 kHz clipped at 0.8: |sin| ≥ 0.8 for 2·arccos(0.8)/π = 41 % of the time. Each
    // of the 60 plateaus (30 Hz, two rails) is a whole number of samples, ±1 sample; ±0.05
    // (50 samples) holds even all 60 errors adding up the same way.
    const q = quality(clip(sine(1, 30), 0.8));
    expect(q.clippedSamples / RATE).toBeCloseTo((2 * Math.acos(0.8)) / Math.PI, 1);
  });
});

describe('sensor_fault diagnosis', () => {
  it('overrides any other diagnosis and keeps the numbers finite', () => {
    const f = analyzeWindow(new Float32Array(RATE), RATE, { rpm: 1500, isoClass: 'II' });
    expect(f.diagnosis?.kind).toBe('sensor_fault');
    expect(f.diagnosis?.evidence).toMatch(/flat line/);
    expect(JSON.parse(JSON.stringify(f.featureVector))).toEqual(f.featureVector);
    for (const v of Object.values(f.featureVector)) expect(Number.isFinite(v)).toBe(true);
  });
});
