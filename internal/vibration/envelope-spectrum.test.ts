import { describe, expect, it } from 'vitest';
import { peakInBand } from './amplitude-spectrum.js';
import { envelopeAnalysis, envelopeBand } from './envelope-spectrum.js';
import { gaussianAt, streamKey } from './seeded-noise.js';
import { centerWindow } from './time-statistics.js';

describe('envelopeBand', () => {
  it.each([
    // rate, lower and upper edge (Hz): top = fs/2.56 up to 10 kHz, bottom = top/2.5 in 500..2000
    [12_000, 1875, 4687.5],
    [12_800, 2000, 5000],
    [25_600, 2000, 10_000],
    [51_200, 2000, 10_000],
    [5000, 781.25, 1953.125],
    [3200, 500, 1250],
  ])('at %s samples/s is %s–%s Hz', (rate, lo, hi) => {
    const band = envelopeBand(rate);
    expect(band?.loHz).toBeCloseTo(lo, 6);
    expect(band?.hiHz).toBeCloseTo(hi, 6);
  });

  it.each([3000, 1000, 100])(
    'is null at %s samples/s (no 2.5:1 band fits above 500 Hz)',
    (rate) => {
      expect(envelopeBand(rate)).toBeNull();
    },
  );
});

/**
 * Impacts every 1/rateHz seconds, each ringing a resonance (damping 5 %) with a peak of 1 g,
 * over Gaussian noise and a strong low-frequency line the band-pass must remove.
 */
function impacts(
  impactHz: number,
  resonanceHz: number,
  rateHz: number,
  noiseG: number,
): Float32Array {
  const n = rateHz;
  const x = new Float32Array(n);
  const tau = 1 / (2 * Math.PI * 0.05 * resonanceHz);
  const key = streamKey(9, 1);
  for (let i = 0; i < n; i++) {
    const t = i / rateHz;
    const since = t % (1 / impactHz);
    x[i] =
      Math.exp(-since / tau) * Math.sin(2 * Math.PI * resonanceHz * since) +
      2 * Math.sin(2 * Math.PI * 25 * t) +
      noiseG * gaussianAt(key, i);
  }
  return x;
}

describe('envelope spectrum of periodic impacts on a resonance', () => {
  it.each([
    // impact rate Hz, resonance Hz, sample rate, noise g
    [97, 3000, 12_000, 0.1],
    [107.3, 3000, 12_800, 0.3],
    [162.1, 3500, 25_600, 0.2],
    [61, 1500, 5000, 0.1],
    [33.3, 900, 3200, 0.05],
  ])(
    'impacts at %s Hz ringing %s Hz, %s samples/s, noise %s g',
    (impactHz, resonanceHz, rate, noise) => {
      const band = envelopeBand(rate);
      if (band === null) throw new Error('test rate must allow envelope analysis');
      const { centered } = centerWindow(impacts(impactHz, resonanceHz, rate, noise));
      const envelope = envelopeAnalysis(centered, rate, band);
      // The strongest envelope line (above the DC lobe, up to 1 kHz) is the impact rate; the
      // 25 Hz line lies outside the band and must not appear. Within one resolution bin (1 Hz).
      const peak = peakInBand(envelope.spectrum, 2 * envelope.spectrum.resolutionHz, 1000);
      expect(Math.abs((peak?.hz ?? 0) - impactHz)).toBeLessThan(envelope.spectrum.resolutionHz);
    },
  );

  it('measures the band RMS of a tone inside the band as A/√2', () => {
    const rate = 12_000;
    const x = new Float64Array(rate);
    for (let i = 0; i < rate; i++) x[i] = 0.4 * Math.sin((2 * Math.PI * 3000 * i) / rate);
    const band = envelopeBand(rate);
    if (band === null) throw new Error('12 kHz allows envelope analysis');
    const result = envelopeAnalysis(centerWindow(x).centered, rate, band);
    // The brick-wall band-pass of a window zero-padded to 16,384 samples rings at the window's
    // ends for ~1/bandwidth (< 1 ms of the 1 s window): within 0.1 %.
    expect(Math.abs(result.bandRmsG / (0.4 / Math.SQRT2) - 1)).toBeLessThan(1e-3);
  });
});
