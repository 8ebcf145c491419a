// Single-sided amplitude spectrum of a window, Hann-windowed and zero-padded to a power of two
// (fft.js only transforms powers of two). Zero-padding does not add resolution: it samples the
// same spectrum more finely. `resolutionHz` (rate / window length) is the true resolution;
// `binHz` (rate / FFT size) is the spacing of the bins we hold.
import { fftPlan, nextPowerOfTwo } from './fft-plan.js';
import { hannResponse, hannWindow } from './hann-window.js';

export interface AmplitudeSpectrum {
  /** Peak amplitude per bin (bins 0..fftSize/2), in the signal's unit, window gain removed. */
  readonly amplitudes: Float64Array;
  readonly rateHz: number;
  readonly binHz: number;
  readonly resolutionHz: number;
  readonly fftSize: number;
  readonly windowLength: number;
  /** True when the window was not a power of two long and zeros were appended. */
  readonly zeroPadded: boolean;
  /**
   * Turns Σ A²/2 over a band's bins into that band's mean square: (Σw)² / (fftSize · Σw²).
   * For Hann it is (n/fftSize) / 1.5: the padding factor over the window's noise bandwidth.
   */
  readonly bandPowerScale: number;
}

/** A spectral peak located between bins and read at its true amplitude. */
export interface SpectralPeak {
  readonly hz: number;
  readonly amplitude: number;
}

/** Amplitude spectrum of `signal` (already mean-removed), sampled at `rateHz`. */
export function hannAmplitudeSpectrum(signal: Float64Array, rateHz: number): AmplitudeSpectrum {
  const n = signal.length;
  const size = nextPowerOfTwo(n);
  const plan = fftPlan(size);
  const window = hannWindow(n);
  const input = plan.real;
  for (let i = 0; i < n; i++) input[i] = (signal[i] ?? 0) * (window.values[i] ?? 0);
  input.fill(0, n);
  plan.fft.realTransform(plan.spectrum, input);

  const half = size / 2;
  const amplitudes = new Float64Array(half + 1);
  const out = plan.spectrum;
  // Single-sided: every bin but DC and Nyquist carries half its power in the mirrored bin.
  const scale = 2 / window.sum;
  for (let k = 0; k <= half; k++) {
    const re = out[2 * k] ?? 0;
    const im = out[2 * k + 1] ?? 0;
    amplitudes[k] = Math.sqrt(re * re + im * im) * (k === 0 || k === half ? scale / 2 : scale);
  }
  return {
    amplitudes,
    rateHz,
    binHz: rateHz / size,
    resolutionHz: rateHz / n,
    fftSize: size,
    windowLength: n,
    zeroPadded: size !== n,
    bandPowerScale: (window.sum * window.sum) / (size * window.sumOfSquares),
  };
}

/** The bin range [first, last] covering loHz..hiHz, clipped to the spectrum. */
export function binRange(spec: AmplitudeSpectrum, loHz: number, hiHz: number): [number, number] {
  const last = spec.amplitudes.length - 1;
  const first = Math.max(0, Math.ceil(loHz / spec.binHz));
  return [first, Math.min(last, Math.floor(hiHz / spec.binHz))];
}

/**
 * Mean square of the band loHz..hiHz (Parseval over the window), each bin weighted by
 * `weight(hz)`, e.g. 1/(2πf)² to turn acceleration into velocity.
 */
export function bandMeanSquare(
  spec: AmplitudeSpectrum,
  loHz: number,
  hiHz: number,
  weight?: (hz: number) => number,
): number {
  const [first, last] = binRange(spec, loHz, hiHz);
  let sum = 0;
  for (let k = first; k <= last; k++) {
    const a = spec.amplitudes[k] ?? 0;
    sum += weight === undefined ? a * a : a * a * weight(k * spec.binHz);
  }
  return (sum / 2) * spec.bandPowerScale;
}

/**
 * The largest peak between loHz and hiHz. Its position is refined between bins by fitting a
 * parabola to the logarithm of the three top bins (exact for a Gaussian lobe, within a few
 * hundredths of a bin for Hann), and its amplitude is divided by the Hann response at that
 * offset, which removes the scalloping loss (up to 15 % half-way between bins).
 */
export function peakInBand(
  spec: AmplitudeSpectrum,
  loHz: number,
  hiHz: number,
): SpectralPeak | null {
  const [first, last] = binRange(spec, loHz, hiHz);
  if (last < first) return null;
  const a = spec.amplitudes;
  let best = first;
  for (let k = first + 1; k <= last; k++) if ((a[k] ?? 0) > (a[best] ?? 0)) best = k;
  const peak = a[best] ?? 0;
  if (peak <= 0) return { hz: best * spec.binHz, amplitude: 0 };

  let offset = 0;
  const left = a[best - 1];
  const right = a[best + 1];
  if (left !== undefined && right !== undefined && left > 0 && right > 0) {
    const l = Math.log(left);
    const c = Math.log(peak);
    const r = Math.log(right);
    const curvature = l - 2 * c + r;
    // A maximum has negative curvature; half a bin is as far as a true maximum can sit from
    // the largest bin.
    if (curvature < 0) offset = Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / curvature));
  }
  const offsetInResolutionBins = (offset * spec.binHz) / spec.resolutionHz;
  return {
    hz: (best + offset) * spec.binHz,
    amplitude: peak / hannResponse(offsetInResolutionBins),
  };
}
