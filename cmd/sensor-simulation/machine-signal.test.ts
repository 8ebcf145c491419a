import { describe, expect, it } from 'vitest';
import { synthesizeMachineSignal } from '../../internal/vibration/index.js';
import { MachineSignal } from './machine-signal.js';
import { seedFrom } from './seeded-random.js';
import { DEFAULT_NOISE_G } from './signal.js';

const SKF_6205 = { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 };
const rms = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);

describe('MachineSignal', () => {
  it('is the synthetic machine, batch after batch, joined exactly', () => {
    const signal = new MachineSignal({ rpm: 1480, bearing: SKF_6205 }, 'M-1', 6400);
    const batches = [signal.next(640), signal.next(1000), signal.next(360)];
    const whole = synthesizeMachineSignal(
      {
        rateHz: 6400,
        rpm: 1480,
        bearing: SKF_6205,
        noiseG: DEFAULT_NOISE_G,
        seed: seedFrom('M-1'),
      },
      0,
      2000,
    );
    const joined = new Float32Array(2000);
    let at = 0;
    for (const b of batches) {
      joined.set(b, at);
      at += b.length;
    }
    expect(Array.from(joined)).toEqual(Array.from(whole));
  });

  it('starts the fault at its onset, inside a batch', () => {
    const fault = { kind: 'bearing-outer' as const, onsetS: 0.5, severity: 1 };
    const signal = new MachineSignal({ rpm: 1480, bearing: SKF_6205, fault }, 'M-2', 6400);
    const batch = signal.next(6400);
    const before = batch.subarray(0, 3200);
    const after = batch.subarray(3200);
    // Healthy: 0.5 + 0.2 mm/s lines and 0.02 g noise, a few hundredths of a g. The impacts
    // (2 g peaks at ~89 Hz) lift the RMS several times.
    expect(rms(before)).toBeLessThan(0.05);
    expect(rms(after)).toBeGreaterThan(3 * rms(before));
  });

  it('runs on through a rate change without restarting the fault clock', () => {
    const fault = { kind: 'dead' as const, onsetS: 1.5, severity: 1 };
    const signal = new MachineSignal({ rpm: 3000, fault }, 'M-3', 1000);
    expect(rms(signal.next(1000))).toBeGreaterThan(0.01);
    signal.retune(2000);
    const next = signal.next(2000);
    expect(rms(next.subarray(0, 1000))).toBeGreaterThan(0.01);
    expect(rms(next.subarray(1000))).toBe(0);
  });
});
