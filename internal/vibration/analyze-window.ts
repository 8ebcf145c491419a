// The entry point: one window of acceleration samples in, every feature out, as a plain
// object the analytics service stores and publishes. Pure and synchronous; the only state it
// keeps between calls is the cache of FFT plans and windows.
import { hannAmplitudeSpectrum, peakInBand } from './amplitude-spectrum.js';
import { anomalyScore, baselineStatus, type Baseline, type BaselineStatus } from './baseline.js';
import { defectLines, diagnoseBearing, type BearingDefectLines } from './bearing-diagnosis.js';
import { bearingDefectOrders } from './bearing-frequencies.js';
import { dashboardSpectrum, type DashboardSpectrum } from './dashboard-spectrum.js';
import { firstDiagnosis, sensorFaultDiagnosis, type Diagnosis } from './diagnosis.js';
import { envelopeAnalysis, envelopeBand } from './envelope-spectrum.js';
import { InvalidWindowError } from './errors.js';
import { MAX_FFT_SIZE } from './fft-plan.js';
import { featureVector, type FeatureVector } from './feature-vector.js';
import { isoZone, type IsoClass, type IsoZone } from './iso-zones.js';
import { shaftHz, validateMachine, type MachineParameters } from './machine.js';
import { diagnoseRotor, orderLines, type OrderLine } from './rotor-diagnosis.js';
import { signalQuality, type SignalQuality } from './signal-quality.js';
import { centerWindow, timeStatistics } from './time-statistics.js';
import {
  analysisBandwidthHz,
  velocityBand,
  velocityRmsMmS,
  type FrequencyBand,
} from './velocity.js';

/**
 * The shortest window analysed: below 64 samples a spectrum has under 32 bins and the
 * kurtosis' standard error √(24/n) exceeds 0.6, a fifth of its normal value.
 */
export const MIN_WINDOW_SAMPLES = 64;

/**
 * Envelope spectra are kept up to 1 kHz: three harmonics of the BPFI of a 3600 rpm machine
 * with 9 balls (5.4 × 60 Hz ≈ 325 Hz) fit, and defect lines seldom matter beyond.
 */
export const ENVELOPE_DISPLAY_MAX_HZ = 1000;

/** The Hann main lobe around DC spans ±2 resolution bins: peaks are searched above it. */
const DC_LOBE_BINS = 2;

export interface EnvelopeFeatures {
  readonly bandHz: FrequencyBand;
  /** RMS of the band-passed acceleration, g. */
  readonly bandRmsG: number;
  /** Strongest envelope line and its amplitude (g, peak). */
  readonly dominantHz: number;
  readonly dominantAmplitudeG: number;
}

export interface WindowFeatures {
  readonly rateHz: number;
  readonly samples: number;
  /** FFT length; `zeroPadded` is true when the window was padded to it with zeros. */
  readonly fftSize: number;
  readonly zeroPadded: boolean;
  /** True resolution of the spectra, rate / samples (zero-padding only interpolates). */
  readonly resolutionHz: number;

  readonly accelerationRmsG: number;
  readonly accelerationPeakG: number;
  readonly crestFactor: number;
  readonly kurtosis: number;

  /** Velocity RMS in `velocityBandHz` (10–1000 Hz, or less at low rates), mm/s. */
  readonly velocityRmsMmS: number | null;
  readonly velocityBandHz: FrequencyBand | null;
  readonly isoClass: IsoClass | null;
  readonly isoZone: IsoZone | null;

  /** Largest line of the acceleration spectrum (g, peak, window-corrected). */
  readonly dominantHz: number;
  readonly dominantAmplitudeG: number;
  /** Running-speed lines when rpm is known: 1×, 2×, and all orders read for diagnosis. */
  readonly x1: OrderLine | null;
  readonly x2: OrderLine | null;
  readonly orders: readonly OrderLine[] | null;

  /** Null when the rate is too low for envelope analysis (below 3.2 kHz). */
  readonly envelope: EnvelopeFeatures | null;
  /** Envelope lines at the bearing's defect frequencies (needs rpm, bearing and envelope). */
  readonly defects: BearingDefectLines | null;

  readonly quality: SignalQuality;
  readonly diagnosis: Diagnosis | null;

  readonly featureVector: FeatureVector;
  readonly baselineStatus: BaselineStatus;
  /** RMS z-score against the baseline once it is ready (≈ 1 healthy, ≥ 3 alert), else null. */
  readonly anomalyScore: number | null;

  /** Acceleration spectrum (g, peak) up to fs/2.56, and envelope spectrum (g) up to 1 kHz. */
  readonly spectrum: DashboardSpectrum;
  readonly envelopeSpectrum: DashboardSpectrum | null;
}

function validateWindow(samples: ArrayLike<number>, rateHz: number): void {
  if (!Number.isFinite(rateHz) || rateHz <= 0) {
    throw new InvalidWindowError(`rateHz must be a positive number, got ${rateHz}`);
  }
  if (samples.length < MIN_WINDOW_SAMPLES) {
    throw new InvalidWindowError(
      `needs at least ${MIN_WINDOW_SAMPLES} samples, got ${samples.length}`,
    );
  }
  if (samples.length > MAX_FFT_SIZE) {
    throw new InvalidWindowError(`at most ${MAX_FFT_SIZE} samples, got ${samples.length}`);
  }
}

/**
 * Analyses one window of acceleration (g) sampled at `rateHz`. With a baseline, the window
 * is scored against it; learning is the caller's next step (`learnBaseline`).
 */
export function analyzeWindow(
  samples: Float32Array | Float64Array,
  rateHz: number,
  machine: MachineParameters = {},
  baseline?: Baseline,
): WindowFeatures {
  validateWindow(samples, rateHz);
  validateMachine(machine);
  const { centered } = centerWindow(samples);
  const stats = timeStatistics(centered);
  const quality = signalQuality(samples, stats.rmsG);
  const spectrum = hannAmplitudeSpectrum(centered, rateHz);
  const lowest = DC_LOBE_BINS * spectrum.resolutionHz;

  const vBand = velocityBand(rateHz);
  const velocity = vBand === null ? null : velocityRmsMmS(spectrum, vBand);
  const isoClass = machine.isoClass ?? null;
  const dominant = peakInBand(spectrum, lowest, rateHz / 2);

  const shaft = machine.rpm === undefined ? null : shaftHz(machine.rpm);
  const orders =
    shaft === null ? null : orderLines(spectrum, shaft, { loHz: lowest, hiHz: rateHz / 2 });
  const eBand = envelopeBand(rateHz);
  const envelope = eBand === null ? null : envelopeAnalysis(centered, rateHz, eBand);
  const envelopePeak =
    envelope === null ? null : peakInBand(envelope.spectrum, lowest, ENVELOPE_DISPLAY_MAX_HZ);
  const defects =
    envelope === null || shaft === null || machine.bearing === undefined
      ? null
      : defectLines(envelope.spectrum, bearingDefectOrders(machine.bearing), shaft);

  const diagnosis = firstDiagnosis(
    sensorFaultDiagnosis(quality.fault),
    () => (defects === null ? null : diagnoseBearing(defects)),
    () =>
      orders === null || velocity === null || vBand === null
        ? null
        : diagnoseRotor(
            orders.filter((l) => l.hz >= vBand.loHz && l.hz <= vBand.hiHz),
            velocity,
            machine.isoClass,
          ),
  );
  const vector = featureVector({
    stats,
    spectrum,
    velocityRmsMmS: velocity,
    envelopeBandRmsG: envelope?.bandRmsG ?? null,
  });
  const status = baselineStatus(baseline, rateHz);
  return {
    rateHz,
    samples: samples.length,
    fftSize: spectrum.fftSize,
    zeroPadded: spectrum.zeroPadded,
    resolutionHz: spectrum.resolutionHz,
    accelerationRmsG: stats.rmsG,
    accelerationPeakG: stats.peakG,
    crestFactor: stats.crestFactor,
    kurtosis: stats.kurtosis,
    velocityRmsMmS: velocity,
    velocityBandHz: vBand,
    isoClass,
    isoZone: velocity === null || isoClass === null ? null : isoZone(velocity, isoClass),
    dominantHz: dominant?.hz ?? 0,
    dominantAmplitudeG: dominant?.amplitude ?? 0,
    x1: orders?.find((l) => l.order === 1) ?? null,
    x2: orders?.find((l) => l.order === 2) ?? null,
    orders,
    envelope:
      envelope === null
        ? null
        : {
            bandHz: envelope.band,
            bandRmsG: envelope.bandRmsG,
            dominantHz: envelopePeak?.hz ?? 0,
            dominantAmplitudeG: envelopePeak?.amplitude ?? 0,
          },
    defects,
    quality,
    diagnosis,
    featureVector: vector,
    baselineStatus: status,
    anomalyScore:
      baseline === undefined || status !== 'ready'
        ? null
        : anomalyScore(baseline, { rateHz, featureVector: vector }),
    spectrum: dashboardSpectrum(spectrum, analysisBandwidthHz(rateHz)),
    envelopeSpectrum:
      envelope === null ? null : dashboardSpectrum(envelope.spectrum, ENVELOPE_DISPLAY_MAX_HZ),
  };
}
