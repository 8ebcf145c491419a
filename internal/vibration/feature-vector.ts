// The features a baseline learns and scores: natural logarithms of positive levels, so that
// a change by a factor reads the same at any level (doubling is +0.69 whether the machine
// runs at 0.05 g or 5 g) and one standard-deviation floor fits them all.
import { bandMeanSquare, type AmplitudeSpectrum } from './amplitude-spectrum.js';
import type { TimeStatistics } from './time-statistics.js';
import { analysisBandwidthHz } from './velocity.js';

export type FeatureName =
  | 'ln_acceleration_rms'
  | 'ln_kurtosis'
  | 'ln_crest_factor'
  | 'ln_velocity_rms'
  | 'ln_envelope_band_rms'
  | 'ln_band_1'
  | 'ln_band_2'
  | 'ln_band_3'
  | 'ln_band_4'
  | 'ln_band_5';

/** Feature values by name; a feature the rate cannot measure is absent. */
export type FeatureVector = Partial<Record<FeatureName, number>>;

/**
 * Levels are floored before the logarithm, so a dead channel (all zeros) gives a very
 * negative but finite number, a huge z-score rather than −Infinity. 10⁻⁹ is far below any
 * sensor's noise floor (FLAT_RMS_G is 10⁻⁵ g).
 */
const LEVEL_FLOOR = 1e-9;

/**
 * Octave bands down from the analysis bandwidth Fmax = fs/2.56: [Fmax/2, Fmax] … and the rest
 * below Fmax/16. Relative to the rate, so every rate has five; a bearing fault lifts the top
 * bands, a rotor fault the bottom ones.
 */
const BAND_COUNT = 5;
const BAND_NAMES: readonly FeatureName[] = [
  'ln_band_1',
  'ln_band_2',
  'ln_band_3',
  'ln_band_4',
  'ln_band_5',
];
/** A band narrower than this many resolution bins measures one or two bins: skip it. */
const MIN_BAND_BINS = 4;
/** The lowest band starts above the Hann main lobe around DC (±2 resolution bins). */
const DC_LOBE_BINS = 2;

const ln = (level: number): number => Math.log(Math.max(level, LEVEL_FLOOR));

export interface FeatureInputs {
  readonly stats: TimeStatistics;
  readonly spectrum: AmplitudeSpectrum;
  readonly velocityRmsMmS: number | null;
  readonly envelopeBandRmsG: number | null;
}

export function featureVector(inputs: FeatureInputs): FeatureVector {
  const { stats, spectrum } = inputs;
  const vector: FeatureVector = {
    ln_acceleration_rms: ln(stats.rmsG),
    ln_kurtosis: ln(stats.kurtosis),
    ln_crest_factor: ln(stats.crestFactor),
  };
  if (inputs.velocityRmsMmS !== null) vector.ln_velocity_rms = ln(inputs.velocityRmsMmS);
  if (inputs.envelopeBandRmsG !== null) vector.ln_envelope_band_rms = ln(inputs.envelopeBandRmsG);

  const top = analysisBandwidthHz(spectrum.rateHz);
  for (let b = 0; b < BAND_COUNT; b++) {
    const hiHz = top / 2 ** (BAND_COUNT - 1 - b);
    const loHz = b === 0 ? DC_LOBE_BINS * spectrum.resolutionHz : hiHz / 2;
    const name = BAND_NAMES[b];
    if (name === undefined || hiHz - loHz < MIN_BAND_BINS * spectrum.resolutionHz) continue;
    vector[name] = ln(Math.sqrt(bandMeanSquare(spectrum, loHz, hiHz)));
  }
  return vector;
}
