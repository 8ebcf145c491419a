import { describe, expect, it } from 'vitest';
import { bandMeanSquare, hannAmplitudeSpectrum, peakInBand } from './amplitude-spectrum.js';
import { analyzeWindow } from './analyze-window.js';
import { nextPowerOfTwo } from './fft-plan.js';
import { hannResponse } from './hann-window.js';
import { gaussianAt, streamKey } from './seeded-noise.js';

function tone(amplitude: number, hz: number, rateHz: number, n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rateHz + 1.1);
  return x;
}

describe('the dominant line of a sine', () => {
  // Lengths with and without zero-padding, tones on and between bins.
  it.each([
    // samples, rate, Hz, amplitude g
    [12_000, 12_000, 107.3, 0.8],
    [12_000, 12_000, 3000.5, 0.05],
    [1000, 1000, 49.5, 2],
    [1024, 1024, 100.25, 1],
    [4096, 25_600, 1234.567, 0.3],
    [100, 100, 12.5, 1],
    [25_600, 25_600, 8000, 0.01],
  ])('%s samples at %s samples/s, %s Hz, %s g', (n, rate, hz, a) => {
    const features = analyzeWindow(Float32Array.from(tone(a, hz, rate, n)), rate);
    const resolution = rate / n;
    expect(features.fftSize).toBe(nextPowerOfTwo(n));
    expect(features.zeroPadded).toBe(nextPowerOfTwo(n) !== n);
    // Within one bin, as any FFT peak is; the log-parabola interpolation does better: a lone
    // tone lands within a few hundredths of a bin, so a tenth of a bin is a safe bound.
    expect(Math.abs(features.dominantHz - hz)).toBeLessThan(0.1 * resolution);
    // The Hann-corrected amplitude: residual scalloping after interpolation is ≤ 0.7 % (worst
    // over all offsets between bins; uncorrected it would be up to 15 %); float32 adds 1e-7.
    expect(Math.abs(features.dominantAmplitudeG / a - 1)).toBeLessThan(0.01);
  });
});

describe('hannAmplitudeSpectrum', () => {
  it('reads a tone on a bin centre at its amplitude (coherent gain removed)', () => {
    const spec = hannAmplitudeSpectrum(tone(0.5, 64, 1024, 1024), 1024);
    expect(spec.zeroPadded).toBe(false);
    // Exact but for float64 rounding over 1024 terms (~1e-13).
    expect(spec.amplitudes[64]).toBeCloseTo(0.5, 12);
    // Hann's neighbours of an on-bin tone are exactly half its height.
    expect(spec.amplitudes[63]).toBeCloseTo(0.25, 12);
  });

  it('gives white noise its variance back over the whole band (Parseval through the window)', () => {
    const n = 12_000;
    const key = streamKey(42, 1);
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = 0.3 * gaussianAt(key, i);
    const spec = hannAmplitudeSpectrum(x, 12_000);
    // The window weights the middle of the record: the estimate averages ~n/1.5 independent
    // samples' worth (a window's noise bandwidth is 1.5 bins), so the relative standard error
    // of the mean square is √(2·1.5/n) = 1.6 %; 4 of them bound it.
    const tolerance = 4 * Math.sqrt((2 * 1.5) / n);
    expect(Math.abs(bandMeanSquare(spec, 0, 6000) / 0.09 - 1)).toBeLessThan(tolerance);
  });

  it('finds no peak in an empty band', () => {
    const spec = hannAmplitudeSpectrum(tone(1, 10, 100, 100), 100);
    expect(peakInBand(spec, 30, 20)).toBeNull();
  });
});

describe('hannResponse', () => {
  it.each([
    [0, 1],
    // Half a bin off: the textbook 1.42 dB scalloping loss of Hann (Harris 1978), stated to
    // 4 decimals of a dB, so compared to 4 decimals.
    [0.5, 10 ** (-1.4236 / 20)],
    [1, 0.5],
    [2, 0],
  ])('at %s bins is %s', (d, expected) => {
    expect(hannResponse(d)).toBeCloseTo(expected, 4);
  });
});
