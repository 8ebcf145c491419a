import { describe, expect, it } from 'vitest';
import { analyzeWindow, MIN_WINDOW_SAMPLES } from './analyze-window.js';
import { createBaseline, learnBaseline } from './baseline.js';
import { InvalidMachineError, InvalidWindowError } from './errors.js';
import { MAX_FFT_SIZE } from './fft-plan.js';
import type { BearingGeometry } from './machine.js';
import { synthesizeMachineSignal } from './synthesize-machine-signal.js';

const SKF_6205: BearingGeometry = { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 };

describe('analyzeWindow', () => {
  const rate = 12_000;
  const samples = synthesizeMachineSignal(
    {
      rateHz: rate,
      rpm: 1796,
      bearing: SKF_6205,
      noiseG: 0.05,
      seed: 1,
      fault: { kind: 'bearing-outer', severity: 0.5 },
    },
    0,
    rate,
  );
  const f = analyzeWindow(samples, rate, { rpm: 1796, bearing: SKF_6205, isoClass: 'I' });

  it('says it zero-padded a window that is not a power of two long', () => {
    expect(f).toMatchObject({
      samples: 12_000,
      fftSize: 16_384,
      zeroPadded: true,
      resolutionHz: 1,
    });
  });

  it('reports 1× and 2× and the defect lines with their harmonics', () => {
    expect(f.x1?.order).toBe(1);
    expect(f.x1?.hz).toBeCloseTo(1796 / 60, 0);
    expect(f.x2?.order).toBe(2);
    expect(f.defects?.bpfo.lines.map((l) => l.harmonic)).toEqual([1, 2, 3]);
    expect(f.defects?.bpfi.lines.map((l) => [l.harmonic, l.sideband])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [1, -1],
      [1, 1],
    ]);
    expect(f.envelope?.bandHz).toEqual({ loHz: 1875, hiHz: 4687.5 });
  });

  it('is plain JSON: nothing is lost in a round trip (no NaN, no typed arrays)', () => {
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });

  it('scores against a baseline once it is ready, and says where it stands', () => {
    let baseline = createBaseline({ rateHz: rate, windows: 2 });
    expect(analyzeWindow(samples, rate, {}, baseline)).toMatchObject({
      baselineStatus: 'learning',
      anomalyScore: null,
    });
    baseline = learnBaseline(learnBaseline(baseline, f), f);
    const scored = analyzeWindow(samples, rate, { rpm: 1796, bearing: SKF_6205 }, baseline);
    expect(scored.baselineStatus).toBe('ready');
    expect(scored.anomalyScore).toBe(0);
    expect(analyzeWindow(samples.subarray(0, 6000), 6000, {}, baseline)).toMatchObject({
      baselineStatus: 'rate-mismatch',
      anomalyScore: null,
    });
  });

  it.each([
    ['too few samples', new Float32Array(MIN_WINDOW_SAMPLES - 1), 1000],
    ['a zero rate', new Float32Array(1000), 0],
    ['a NaN rate', new Float32Array(1000), Number.NaN],
    ['more samples than the largest FFT', new Float32Array(MAX_FFT_SIZE + 1), 1000],
  ])('refuses %s', (_name, x, rateHz) => {
    expect(() => analyzeWindow(x, rateHz)).toThrowError(InvalidWindowError);
  });

  it('refuses impossible machine parameters', () => {
    expect(() => analyzeWindow(samples, rate, { rpm: -5 })).toThrowError(InvalidMachineError);
  });

  it('analyses a power-of-two window without padding, at the lowest rate', () => {
    const low = analyzeWindow(samples.subarray(0, 128), 128, { rpm: 1796, isoClass: 'IV' });
    expect(low).toMatchObject({ fftSize: 128, zeroPadded: false, envelope: null, defects: null });
    expect(low.velocityBandHz).toEqual({ loHz: 10, hiHz: 50 });
  });
});
