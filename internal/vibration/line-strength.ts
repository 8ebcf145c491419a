// How strongly a spectral line at an expected frequency stands out of the spectrum around it:
// the largest bin within a tolerance of the expected frequency, divided by the median of the
// neighbouring bins. A ratio is independent of the units and of the overall level, so the
// same significance threshold serves acceleration and envelope spectra, quiet and loud machines.
import { binRange, peakInBand, type AmplitudeSpectrum } from './amplitude-spectrum.js';

/**
 * ±2 % around an expected line. Rolling elements slip: real defect frequencies differ from the
 * kinematic ones by 1–2 % (Randall & Antoni, MSSP 25(2), 2011), and an induction
 * motor's running speed differs from its nameplate by its slip, 1–3 % at full load, which a
 * configured rpm often ignores; harmonics scale with it, so the tolerance is relative.
 */
export const SPEED_TOLERANCE = 0.02;

/**
 * A line is significant when its largest bin is at least 4× the local median (+12 dB).
 * For noise, spectral amplitudes are Rayleigh-distributed, and a Rayleigh value exceeds
 * t × its median with probability 2^(−t²): 2^(−16) ≈ 1.5·10⁻⁵ per independent bin, so a
 * tolerance window of a few to twenty bins produces a false line once in 10⁴–10⁵ windows.
 */
export const LINE_SIGNIFICANCE = 4;

/**
 * The background is the median of the bins within ±25 % of the line (outside the line's own
 * window): local, because spectra slope by tens of dB per decade, and wide enough that the
 * median rests on dozens of bins and ignores the few other lines it meets (sidebands, shaft
 * harmonics).
 */
const NEIGHBOURHOOD_FRACTION = 0.25;
/** At low frequencies ±25 % is a handful of bins; take at least 10 resolution bins per side. */
const NEIGHBOURHOOD_MIN_BINS = 10;
/** Hann's main lobe spans ±2 resolution bins: a line's own skirt is not background. */
const MAIN_LOBE_HALF_WIDTH_BINS = 2;
/** A noise-free synthetic spectrum has a zero median; this keeps the ratio a finite number. */
const BACKGROUND_FLOOR = 1e-15;

export interface LineStrength {
  readonly expectedHz: number;
  /** Where the largest bin within the tolerance was found (interpolated between bins). */
  readonly hz: number;
  /** Its amplitude, window-corrected, in the spectrum's unit (peak). */
  readonly amplitude: number;
  /** Largest bin / median of the neighbourhood. */
  readonly strength: number;
}

/**
 * The line near `expectedHz` and its strength; null when the tolerance window reaches past the
 * top of the spectrum or into the bins next to DC.
 */
export function lineStrength(
  spec: AmplitudeSpectrum,
  expectedHz: number,
  tolerance = SPEED_TOLERANCE,
): LineStrength | null {
  const resolution = spec.resolutionHz;
  const halfWidth = Math.max(tolerance * expectedHz, resolution);
  const nyquist = spec.rateHz / 2;
  const lowestUsable = MAIN_LOBE_HALF_WIDTH_BINS * resolution;
  if (expectedHz + halfWidth > nyquist || expectedHz - halfWidth < lowestUsable) return null;

  const peak = peakInBand(spec, expectedHz - halfWidth, expectedHz + halfWidth);
  if (peak === null) return null;
  const a = spec.amplitudes;
  const [first, last] = binRange(spec, expectedHz - halfWidth, expectedHz + halfWidth);
  let rawPeak = 0;
  for (let k = first; k <= last; k++) rawPeak = Math.max(rawPeak, a[k] ?? 0);

  const exclusion = halfWidth + MAIN_LOBE_HALF_WIDTH_BINS * resolution;
  const reach = Math.max(
    NEIGHBOURHOOD_FRACTION * expectedHz,
    exclusion + NEIGHBOURHOOD_MIN_BINS * resolution,
  );
  const background = Math.max(
    BACKGROUND_FLOOR,
    medianOfNeighbours(spec, expectedHz, exclusion, reach, lowestUsable),
  );
  return {
    expectedHz,
    hz: peak.hz,
    amplitude: peak.amplitude,
    strength: rawPeak / background,
  };
}

function medianOfNeighbours(
  spec: AmplitudeSpectrum,
  centreHz: number,
  exclusion: number,
  reach: number,
  lowestUsable: number,
): number {
  const a = spec.amplitudes;
  const [lowFirst, lowLast] = binRange(
    spec,
    Math.max(lowestUsable, centreHz - reach),
    centreHz - exclusion,
  );
  const [highFirst, highLast] = binRange(spec, centreHz + exclusion, centreHz + reach);
  const count = Math.max(0, lowLast - lowFirst + 1) + Math.max(0, highLast - highFirst + 1);
  if (count === 0) return 0;
  const values = new Float64Array(count);
  let i = 0;
  for (let k = lowFirst; k <= lowLast; k++) values[i++] = a[k] ?? 0;
  for (let k = highFirst; k <= highLast; k++) values[i++] = a[k] ?? 0;
  values.sort();
  const middle = count >> 1;
  return count % 2 === 1
    ? (values[middle] ?? 0)
    : ((values[middle - 1] ?? 0) + (values[middle] ?? 0)) / 2;
}
