import { describe, expect, it } from 'vitest';
import { hannAmplitudeSpectrum } from './amplitude-spectrum.js';
import { LINE_SIGNIFICANCE, lineStrength, SPEED_TOLERANCE } from './line-strength.js';
import { gaussianAt, streamKey } from './seeded-noise.js';

function noisyTone(hz: number, amplitude: number, seed: number, rateHz = 12_000): Float64Array {
  const x = new Float64Array(rateHz);
  const key = streamKey(seed, 1);
  for (let i = 0; i < rateHz; i++) {
    x[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rateHz) + 0.1 * gaussianAt(key, i);
  }
  return x;
}

describe('lineStrength', () => {
  it('finds a line that sits off its expected frequency by less than the tolerance', () => {
    const spec = hannAmplitudeSpectrum(noisyTone(109, 0.05, 1), 12_000);
    // Expected 107.3 Hz, present at 109 Hz: 1.6 % off, within ±2 % (bearing slip).
    const line = lineStrength(spec, 107.3);
    // Interpolation places a lone line within a few hundredths of its 1 Hz bin.
    expect(Math.abs((line?.hz ?? 0) - 109)).toBeLessThan(0.1);
    // The 0.1 g noise adds a random phasor of ≈ 4σ·√(3/(8n)) ≈ 0.002 g to each Hann bin;
    // 0.01 g is several of them.
    expect(Math.abs((line?.amplitude ?? 0) - 0.05)).toBeLessThan(0.01);
    expect(line?.strength).toBeGreaterThan(LINE_SIGNIFICANCE);
  });

  it('does not reach beyond the tolerance', () => {
    const spec = hannAmplitudeSpectrum(
      noisyTone(107.3 * (1 + 2 * SPEED_TOLERANCE), 0.05, 2),
      12_000,
    );
    expect(lineStrength(spec, 107.3)?.strength).toBeLessThan(LINE_SIGNIFICANCE);
  });

  it('is null where the tolerance window leaves the spectrum', () => {
    const spec = hannAmplitudeSpectrum(noisyTone(100, 0.05, 3, 1000), 1000);
    expect(lineStrength(spec, 499)).toBeNull();
    expect(lineStrength(spec, 0.5)).toBeNull();
  });

  it('rarely calls noise a line (the Rayleigh bound behind LINE_SIGNIFICANCE)', () => {
    // 60 windows of pure noise × 40 probe frequencies = 2,400 probes of 5–20 bins each. The
    // threshold's false-line rate is 2^−16 per independent bin, ~10⁻⁴ per probe: expect 0,
    // allow 2 (Poisson with mean 0.3 exceeds 2 with probability 0.4 %).
    let falseLines = 0;
    for (let seed = 0; seed < 60; seed++) {
      const spec = hannAmplitudeSpectrum(noisyTone(0, 0, 100 + seed), 12_000);
      for (let k = 0; k < 40; k++) {
        const line = lineStrength(spec, 60 + k * 23.7);
        if (line !== null && line.strength >= LINE_SIGNIFICANCE) falseLines++;
      }
    }
    expect(falseLines).toBeLessThanOrEqual(2);
  });
});
