import { describe, expect, it } from 'vitest';
import { hannAmplitudeSpectrum } from './amplitude-spectrum.js';
import { analyzeWindow } from './analyze-window.js';
import { DASHBOARD_POINTS, dashboardSpectrum } from './dashboard-spectrum.js';

function tones(rateHz: number, lines: [number, number][]): Float64Array {
  const x = new Float64Array(rateHz);
  for (let i = 0; i < rateHz; i++) {
    for (const [hz, a] of lines) x[i] = (x[i] ?? 0) + a * Math.sin((2 * Math.PI * hz * i) / rateHz);
  }
  return x;
}

describe('dashboardSpectrum', () => {
  it.each([1000, 12_000, 25_600])('keeps at most %s samples/s to 512 points', (rate) => {
    const features = analyzeWindow(Float32Array.from(tones(rate, [[rate / 10, 1]])), rate);
    expect(features.spectrum.values.length).toBeLessThanOrEqual(DASHBOARD_POINTS);
    expect(features.envelopeSpectrum?.values.length ?? 0).toBeLessThanOrEqual(DASHBOARD_POINTS);
  });

  it('keeps a narrow line at its full height (maximum per bucket, not mean)', () => {
    const spec = hannAmplitudeSpectrum(tones(16_384, [[4096, 0.3]]), 16_384);
    const thin = dashboardSpectrum(spec, 8000);
    expect(thin.stepHz).toBe(16);
    const peak = Math.max(...thin.values);
    // 4096 Hz sits on a bin centre of the 16,384-point FFT, so its bin reads the amplitude
    // exactly; the value is stored to 4 significant digits. A mean over the 16-bin bucket
    // would read 0.3 × (1 + 2 × ½) / 16, an eighth of it.
    expect(peak).toBeCloseTo(0.3, 4);
    expect(thin.values.indexOf(peak)).toBe(Math.floor(4096 / thin.stepHz));
  });

  it('does not thin a spectrum that already fits', () => {
    const spec = hannAmplitudeSpectrum(tones(256, [[32, 1]]), 256);
    const thin = dashboardSpectrum(spec, 128);
    expect(thin.stepHz).toBe(spec.binHz);
    expect(thin.values).toHaveLength(129);
  });
});
