// Vibration velocity from acceleration, integrated in the frequency domain: a line of
// acceleration amplitude A at f is a line of velocity A/(2πf). Integrating per bin avoids the
// drift and the low-frequency blow-up of integrating samples in time; the band edges bound
// the 1/f gain at the bottom.
import { bandMeanSquare, type AmplitudeSpectrum } from './amplitude-spectrum.js';

/** Standard acceleration of gravity, m/s² per g (3rd CGPM, 1901; ISO 80000-3). */
export const STANDARD_GRAVITY_M_S2 = 9.80665;

const MM_PER_M = 1000;

/**
 * The broad-band velocity range ISO 10816-3 / 20816-3 evaluate for machines running above
 * 600 rpm: 10–1000 Hz.
 */
export const VELOCITY_BAND_LOW_HZ = 10;
export const VELOCITY_BAND_HIGH_HZ = 1000;

/**
 * Vibration analysers use lines up to fs/2.56 only: above it the anti-aliasing filter of the
 * sensor's converter rolls off and amplitudes are no longer true (the "2.56 rule", from a
 * Nyquist factor of 2 plus 28 % for the filter's transition band).
 */
export const SAMPLE_RATE_TO_BANDWIDTH = 2.56;

export interface FrequencyBand {
  readonly loHz: number;
  readonly hiHz: number;
}

/** The highest frequency whose amplitude a sensor sampling at `rateHz` reports truthfully. */
export function analysisBandwidthHz(rateHz: number): number {
  return rateHz / SAMPLE_RATE_TO_BANDWIDTH;
}

/**
 * The velocity band: 10–1000 Hz, its top lowered to what the rate allows; null when the rate
 * leaves nothing above 10 Hz (below 25.6 samples/s).
 */
export function velocityBand(rateHz: number): FrequencyBand | null {
  const hiHz = Math.min(VELOCITY_BAND_HIGH_HZ, analysisBandwidthHz(rateHz));
  return hiHz > VELOCITY_BAND_LOW_HZ ? { loHz: VELOCITY_BAND_LOW_HZ, hiHz } : null;
}

/** Velocity amplitude (mm/s) of an acceleration amplitude (g) at `hz`; same measure (peak, RMS). */
export function accelerationToVelocityMmS(accelerationG: number, hz: number): number {
  return (accelerationG * STANDARD_GRAVITY_M_S2 * MM_PER_M) / (2 * Math.PI * hz);
}

/** Velocity RMS in mm/s over `band`, from an acceleration spectrum in g. */
export function velocityRmsMmS(spec: AmplitudeSpectrum, band: FrequencyBand): number {
  const gain = (STANDARD_GRAVITY_M_S2 * MM_PER_M) / (2 * Math.PI);
  const meanSquare = bandMeanSquare(spec, band.loHz, band.hiHz, (hz) => {
    const v = gain / hz;
    return v * v;
  });
  return Math.sqrt(meanSquare);
}
