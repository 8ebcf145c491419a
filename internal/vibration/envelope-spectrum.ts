// Envelope analysis ("high-frequency resonance technique", ISO 13373-2 demodulation): each
// impact of a rolling element on a defect rings the structure's resonances in the kHz range.
// Band-pass around them, take the envelope (magnitude of the analytic signal), and the
// envelope's spectrum shows the impact rate — BPFO, BPFI, 2·BSF — and its harmonics, free of
// the strong low-frequency shaft lines (Randall & Antoni, MSSP 25(2), 2011).
//
// The band-pass and the Hilbert transform are one step in the frequency domain: keep the
// positive-frequency bins inside the band, doubled, zero everything else, and the inverse
// FFT is the analytic signal of the band-passed window.
import { hannAmplitudeSpectrum, type AmplitudeSpectrum } from './amplitude-spectrum.js';
import { fftPlan, nextPowerOfTwo } from './fft-plan.js';
import { analysisBandwidthHz, type FrequencyBand } from './velocity.js';

// The band rule. The band takes the top of what the rate allows: its upper edge is the
// analysis bandwidth fs/2.56, its lower edge 2.5× lower (1.3 octaves), clamped to SKF's
// general-purpose enveloping band gE3, 500 Hz–10 kHz (the Microlog enveloping filter meant for
// medium-speed machines). At 12 kHz this gives 1.9–4.7 kHz, the band the CWRU rig's
// resonances sit in (README: "roughly 2–5 kHz").

/** The lowest lower edge: below it, shaft and gear harmonics and structural modes dominate. */
export const ENVELOPE_BAND_MIN_LOW_HZ = 500;
/** The highest upper edge: gE3's top; above it mounting resonances of the sensor take over. */
export const ENVELOPE_BAND_MAX_HIGH_HZ = 10_000;
/**
 * The lower edge never rises above 2 kHz: at high rates the band widens downwards instead, so
 * it still covers the 2–5 kHz bearing-housing resonances typical of small and medium machines.
 */
export const ENVELOPE_BAND_MAX_LOW_HZ = 2_000;
/**
 * Upper / lower edge. The band must pass a resonance with its sidebands at ±k·BPFI for the
 * harmonics we read (three harmonics of a BPFI of up to ~300 Hz for a 3600 rpm machine
 * means ±900 Hz): a 2.5 ratio is ≥ 750 Hz wide at the 500 Hz floor and widens with the rate.
 * A rate that cannot fit such a band above 500 Hz (below 3.2 kHz) gets no envelope analysis.
 */
export const ENVELOPE_BAND_RATIO = 2.5;

/** Relative slack for the ratio check, so 3.2 kHz (ratio exactly 2.5) is not lost to rounding. */
const RATIO_SLACK = 1e-9;

/** The envelope band for a sample rate, or null when the rate is too low for envelope analysis. */
export function envelopeBand(rateHz: number): FrequencyBand | null {
  const hiHz = Math.min(analysisBandwidthHz(rateHz), ENVELOPE_BAND_MAX_HIGH_HZ);
  const loHz = Math.min(
    ENVELOPE_BAND_MAX_LOW_HZ,
    Math.max(ENVELOPE_BAND_MIN_LOW_HZ, hiHz / ENVELOPE_BAND_RATIO),
  );
  return hiHz >= loHz * ENVELOPE_BAND_RATIO * (1 - RATIO_SLACK) ? { loHz, hiHz } : null;
}

export interface EnvelopeAnalysis {
  readonly band: FrequencyBand;
  /** RMS of the band-passed acceleration, g: the energy the impacts put into the resonances. */
  readonly bandRmsG: number;
  /** Amplitude spectrum of the envelope (mean removed), g. */
  readonly spectrum: AmplitudeSpectrum;
}

/** Envelope spectrum of a mean-removed window in `band`. */
export function envelopeAnalysis(
  centered: Float64Array,
  rateHz: number,
  band: FrequencyBand,
): EnvelopeAnalysis {
  const n = centered.length;
  const size = nextPowerOfTwo(n);
  const plan = fftPlan(size);
  plan.real.set(centered);
  plan.real.fill(0, n);
  plan.fft.realTransform(plan.spectrum, plan.real);

  // Analytic signal of the band: bins lo..hi doubled, negative frequencies and the rest zero.
  // No taper on the band edges: a brick wall rings for ~1/bandwidth (≤ 1.3 ms here), far
  // shorter than the impact period (≥ 1/1000 Hz), and the envelope spectrum's Hann window
  // hides the wrap-around at the window's ends.
  const binHz = rateHz / size;
  const first = Math.max(1, Math.ceil(band.loHz / binHz));
  const last = Math.min(size / 2 - 1, Math.floor(band.hiHz / binHz));
  const analytic = plan.complex;
  analytic.fill(0);
  const spectrum = plan.spectrum;
  for (let k = first; k <= last; k++) {
    analytic[2 * k] = 2 * (spectrum[2 * k] ?? 0);
    analytic[2 * k + 1] = 2 * (spectrum[2 * k + 1] ?? 0);
  }
  plan.fft.inverseTransform(spectrum, analytic);

  const envelope = new Float64Array(n);
  let sum = 0;
  let sumOfSquares = 0;
  for (let i = 0; i < n; i++) {
    const re = spectrum[2 * i] ?? 0;
    const im = spectrum[2 * i + 1] ?? 0;
    const e2 = re * re + im * im;
    const e = Math.sqrt(e2);
    envelope[i] = e;
    sum += e;
    sumOfSquares += e2;
  }
  const mean = sum / n;
  for (let i = 0; i < n; i++) envelope[i] = (envelope[i] ?? 0) - mean;
  return {
    band,
    // |analytic|² = x² + H{x}², whose mean is twice the band signal's mean square.
    bandRmsG: Math.sqrt(sumOfSquares / n / 2),
    spectrum: hannAmplitudeSpectrum(envelope, rateHz),
  };
}
