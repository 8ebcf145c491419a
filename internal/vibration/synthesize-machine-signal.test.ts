import { describe, expect, it } from 'vitest';
import { analyzeWindow } from './analyze-window.js';
import { InvalidMachineError } from './errors.js';
import type { BearingGeometry } from './machine.js';
import { synthesizeMachineSignal, type SyntheticMachine } from './synthesize-machine-signal.js';

const SKF_6205: BearingGeometry = { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 };
const base: SyntheticMachine = {
  rateHz: 5000,
  rpm: 1480,
  bearing: SKF_6205,
  noiseG: 0.02,
  seed: 11,
};

describe('synthesizeMachineSignal', () => {
  it.each([
    ['imbalance', 123_456],
    ['bearing-inner', 0],
    // Past 2^32 samples (46 h at 25.6 kHz) the counter's high word comes into play.
    ['looseness', 2 ** 33 - 2000],
  ] as const)(
    'is deterministic for a seed and joins batches exactly (%s from sample %s)',
    (kind, start) => {
      const machine = { ...base, fault: { kind, severity: 0.7 } };
      const whole = synthesizeMachineSignal(machine, start, 5000);
      const joined = new Float32Array(5000);
      let at = 0;
      for (const size of [1, 999, 2000, 1500, 500]) {
        joined.set(synthesizeMachineSignal(machine, start + at, size), at);
        at += size;
      }
      expect(joined).toEqual(whole);
      expect(synthesizeMachineSignal(machine, start, 5000)).toEqual(whole);
      expect(synthesizeMachineSignal({ ...machine, seed: 12 }, start, 5000)).not.toEqual(whole);
    },
  );

  it('makes a dead sensor a flat line', () => {
    const x = synthesizeMachineSignal({ ...base, fault: { kind: 'dead', severity: 1 } }, 0, 1000);
    expect(x.every((v) => v === x[0])).toBe(true);
  });

  it('puts the healthy machine in zone A and the configured fault velocity on its lines', () => {
    const healthy = analyzeWindow(synthesizeMachineSignal(base, 0, 5000), 5000, {
      rpm: 1480,
      isoClass: 'I',
    });
    expect(healthy.isoZone).toBe('A');
    const imbalance = analyzeWindow(
      synthesizeMachineSignal({ ...base, fault: { kind: 'imbalance', severity: 0.5 } }, 0, 5000),
      5000,
      { rpm: 1480 },
    );
    // 0.5 mm/s healthy + 0.5 × 10 mm/s of imbalance at 1×, within the 1 % of integration.
    expect(imbalance.x1?.velocityMmS).toBeCloseTo(5.5, 1);
    const misaligned = analyzeWindow(
      synthesizeMachineSignal({ ...base, fault: { kind: 'misalignment', severity: 1 } }, 0, 5000),
      5000,
      { rpm: 1480 },
    );
    // 0.2 mm/s healthy + 8 mm/s of misalignment at 2×, likewise.
    expect(misaligned.x2?.velocityMmS).toBeCloseTo(8.2, 1);
  });

  it('makes bearing impacts impulsive (kurtosis far above a Gaussian 3)', () => {
    const f = analyzeWindow(
      synthesizeMachineSignal(
        { ...base, fault: { kind: 'bearing-outer', severity: 0.5 } },
        0,
        5000,
      ),
      5000,
    );
    // Gaussian noise stays below 3 + 4·√(24/n) (4 standard errors of the sample kurtosis).
    expect(f.kurtosis).toBeGreaterThan(3 + 4 * Math.sqrt(24 / 5000));
  });

  it.each([
    [
      'a bearing fault without a bearing',
      { ...base, bearing: undefined, fault: { kind: 'bearing-outer', severity: 1 } },
    ],
    ['a negative severity', { ...base, fault: { kind: 'imbalance', severity: -1 } }],
    ['a zero rate', { ...base, rateHz: 0 }],
    ['negative noise', { ...base, noiseG: -0.1 }],
  ] as [string, SyntheticMachine][])('refuses %s', (_name, machine) => {
    expect(() => synthesizeMachineSignal(machine, 0, 100)).toThrowError(InvalidMachineError);
  });
});
