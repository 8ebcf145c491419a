import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NOISE_G,
  LOOP_SECONDS,
  LoopedSignal,
  ROTATING_MACHINE,
  RUNNING_SPEED_HZ,
  VibrationSignal,
} from './signal.js';
import { seedFrom } from './seeded-random.js';

/** Peak amplitude of the component at `hz` by one DFT bin: 2/N · |Σ x[i] e^(−2πi f i/rate)|. */
function amplitudeAt(values: Float32Array, rate: number, hz: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < values.length; i++) {
    const angle = (2 * Math.PI * hz * i) / rate;
    re += (values[i] ?? 0) * Math.cos(angle);
    im -= (values[i] ?? 0) * Math.sin(angle);
  }
  return (2 * Math.hypot(re, im)) / values.length;
}

const rms = (values: Float32Array) =>
  Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);

describe('VibrationSignal', () => {
  it('is reproducible per serial and differs between serials', () => {
    const make = (seed: string) => new VibrationSignal({ seed, sampleRateHz: 1000 }).next(500);
    expect(make('AAD-1123')).toEqual(make('AAD-1123'));
    expect(make('AAD-1123')).not.toEqual(make('AAD-1124'));
  });

  it('does not depend on how the samples are split into batches', () => {
    const whole = new VibrationSignal({ seed: 'S-1', sampleRateHz: 200 }).next(600);
    const split = new VibrationSignal({ seed: 'S-1', sampleRateHz: 200 });
    const parts = [split.next(200), split.next(1), split.next(399)];
    expect(Float32Array.from(parts.flatMap((p) => [...p]))).toEqual(whole);
    expect(split.position).toBe(600);
  });

  // Two seconds at 1000 Hz: every default component completes whole cycles except BPFO/BPFI,
  // so each sits in its own DFT bin; a frequency between components holds only noise.
  const rate = 1000;
  const values = new VibrationSignal({ seed: 'PUMP-7', sampleRateHz: rate }).next(2 * rate);

  it.each([
    ['1x running speed', RUNNING_SPEED_HZ, 0.5],
    ['2x', 2 * RUNNING_SPEED_HZ, 0.2],
    ['3x', 3 * RUNNING_SPEED_HZ, 0.08],
    ['blade pass', 7 * RUNNING_SPEED_HZ, 0.12],
    ['2x line', 100, 0.04],
  ])('has its %s component (%d Hz) at %d g', (_name, hz, g) => {
    expect(amplitudeAt(values, rate, hz)).toBeCloseTo(g, 1);
    expect(Math.abs(amplitudeAt(values, rate, hz) - g)).toBeLessThan(0.015);
  });

  it.each([12, 40, 75, 130, 300, 450])('holds only noise at %d Hz', (hz) => {
    expect(amplitudeAt(values, rate, hz)).toBeLessThan(0.01);
  });

  it('is dominated by the running speed', () => {
    const one = amplitudeAt(values, rate, RUNNING_SPEED_HZ);
    for (const c of ROTATING_MACHINE.slice(1)) {
      expect(one).toBeGreaterThan(2 * amplitudeAt(values, rate, c.frequencyHz));
    }
  });

  it('leaves out components above the anti-alias filter: a 3 Hz sensor sees noise', () => {
    const slow = new VibrationSignal({ seed: 'SLOW-1', sampleRateHz: 3 });
    expect(slow.components).toHaveLength(0);
    expect(rms(slow.next(3000))).toBeCloseTo(DEFAULT_NOISE_G, 2);
  });

  it('takes a custom component set', () => {
    const signal = new VibrationSignal({
      seed: 'GEAR-1',
      sampleRateHz: 2000,
      components: [{ name: 'gear mesh', frequencyHz: 410, amplitudeG: 1.5 }],
      noiseG: 0,
    });
    const v = signal.next(2000);
    expect(amplitudeAt(v, 2000, 410)).toBeCloseTo(1.5, 3);
    expect(Math.max(...v)).toBeLessThanOrEqual(1.5 + 1e-6);
  });
});

describe('VibrationSignal.retune', () => {
  it('runs on in time at the new rate, without a jump in the waveform', () => {
    const quiet = { seed: 'S-1', noiseG: 0 };
    const retuned = new VibrationSignal({ ...quiet, sampleRateHz: 100 });
    retuned.next(100); // one second at 100 Hz
    retuned.retune(400);
    // From t = 1 s on, the same machine sampled at 400 Hz from the start.
    const reference = new VibrationSignal({ ...quiet, sampleRateHz: 400 });
    reference.next(400);
    const after = retuned.next(200);
    const expected = reference.next(200);
    after.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? NaN, 5));
    expect(retuned.components).toEqual(reference.components); // 400 Hz passes more of them
  });
});

describe('LoopedSignal', () => {
  it('plays the recorded stretch in a loop, continuous across calls, from a per-serial point', () => {
    const rate = 500;
    const length = rate * LOOP_SECONDS;
    const recording = new VibrationSignal({ seed: 'looped', sampleRateHz: rate }).next(length);
    const a = new LoopedSignal('AAD-1', rate);
    const first = a.next(length - 7);
    const second = a.next(length + 20);
    const played = [...first, ...second];
    const start = seedFrom('AAD-1') % length;
    played.forEach((v, i) => expect(v).toBe(recording[(start + i) % length]));
    const b = new LoopedSignal('AAD-2', rate).next(5);
    expect([...b]).toEqual([...recording.subarray(seedFrom('AAD-2') % length)].slice(0, 5));
  });

  it('records again at a new rate', () => {
    const s = new LoopedSignal('X-1', 100);
    s.retune(200);
    const recording = new VibrationSignal({ seed: 'looped', sampleRateHz: 200 }).next(400);
    const start = seedFrom('X-1') % 400;
    expect([...s.next(3)]).toEqual([...recording.subarray(start, start + 3)]);
  });
});
