// One analysed window as it is stored (a sensor_feature row) and as it is announced (a
// FeatureEvent on sensor.<serial>.features): the same numbers, named once here.
import type pg from 'pg';
import type { FeatureEvent } from '../../internal/routing/index.js';
import type { BearingDefectLines, WindowFeatures } from '../../internal/vibration/index.js';
import type { Window } from './window-accumulator.js';

/** Strength of a defect series' first harmonic (the line itself, not a sideband). */
function firstHarmonicStrength(defects: BearingDefectLines | null, key: keyof BearingDefectLines) {
  const line = defects?.[key].lines.find((l) => l.harmonic === 1 && l.sideband === 0);
  return line?.strength ?? null;
}

/** Column → value, in the order of the INSERT below. */
function columns(sensorId: number, window: Window, f: WindowFeatures) {
  return {
    sensor_id: sensorId,
    window_start: window.startUs,
    window_end: window.endUs,
    sample_rate_hz: window.rateHz,
    sample_count: window.samples.length,
    acceleration_rms_g: f.accelerationRmsG,
    acceleration_peak_g: f.accelerationPeakG,
    crest_factor: f.crestFactor,
    kurtosis: f.kurtosis,
    velocity_rms_mm_s: f.velocityRmsMmS,
    iso_class: f.isoClass,
    iso_zone: f.isoZone,
    dominant_hz: f.dominantHz,
    dominant_amplitude_g: f.dominantAmplitudeG,
    x1_g: f.x1?.accelerationG ?? null,
    x1_velocity_mm_s: f.x1?.velocityMmS ?? null,
    x2_g: f.x2?.accelerationG ?? null,
    x2_velocity_mm_s: f.x2?.velocityMmS ?? null,
    envelope_band_rms_g: f.envelope?.bandRmsG ?? null,
    envelope_dominant_hz: f.envelope?.dominantHz ?? null,
    envelope_dominant_g: f.envelope?.dominantAmplitudeG ?? null,
    bpfo_strength: firstHarmonicStrength(f.defects, 'bpfo'),
    bpfi_strength: firstHarmonicStrength(f.defects, 'bpfi'),
    bsf_strength: firstHarmonicStrength(f.defects, 'bsf'),
    ftf_strength: firstHarmonicStrength(f.defects, 'ftf'),
    diagnosis: f.diagnosis?.kind ?? null,
    diagnosis_evidence: f.diagnosis?.evidence ?? null,
    anomaly_score: f.anomalyScore,
    baseline_status: f.baselineStatus,
    feature_vector: JSON.stringify(f.featureVector),
  };
}

const TIME_COLUMNS = new Set(['window_start', 'window_end']);

/**
 * Writes the window's row. Idempotent: the same window (same sensor and start) analysed again
 * — a redelivery, a recompute — replaces the row instead of adding one.
 */
export async function writeFeatureRow(
  client: pg.ClientBase,
  sensorId: number,
  window: Window,
  features: WindowFeatures,
): Promise<void> {
  const values = columns(sensorId, window, features);
  const names = Object.keys(values);
  const placeholders = names.map((name, i) =>
    TIME_COLUMNS.has(name)
      ? `'epoch'::timestamptz + $${i + 1}::bigint * INTERVAL '1 microsecond'`
      : `$${i + 1}`,
  );
  const updates = names
    .filter((name) => name !== 'sensor_id' && name !== 'window_start')
    .map((name) => `${name} = EXCLUDED.${name}`);
  // clock_timestamp(), not now(): taken under the sensor's lock, so analysed_at orders a
  // sensor's windows as they were analysed (now() is when the transaction began waiting).
  await client.query(
    `INSERT INTO sensor_feature (${names.join(', ')}, analysed_at)
     VALUES (${placeholders.join(', ')}, clock_timestamp())
     ON CONFLICT (sensor_id, window_start) DO UPDATE
       SET ${updates.join(', ')}, analysed_at = EXCLUDED.analysed_at`,
    Object.values(values),
  );
}

/** Replaces the sensor's latest spectra with this window's. */
export async function writeSpectra(
  client: pg.ClientBase,
  sensorId: number,
  window: Window,
  features: WindowFeatures,
): Promise<void> {
  await client.query(
    `INSERT INTO sensor_spectrum (sensor_id, window_start, window_end, sample_rate_hz,
       spectrum_step_hz, spectrum, envelope_step_hz, envelope_spectrum, updated_at)
     VALUES ($1, 'epoch'::timestamptz + $2::bigint * INTERVAL '1 microsecond',
       'epoch'::timestamptz + $3::bigint * INTERVAL '1 microsecond', $4, $5, $6, $7, $8, now())
     ON CONFLICT (sensor_id) DO UPDATE SET
       window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end,
       sample_rate_hz = EXCLUDED.sample_rate_hz, spectrum_step_hz = EXCLUDED.spectrum_step_hz,
       spectrum = EXCLUDED.spectrum, envelope_step_hz = EXCLUDED.envelope_step_hz,
       envelope_spectrum = EXCLUDED.envelope_spectrum, updated_at = now()
     WHERE sensor_spectrum.window_start <= EXCLUDED.window_start`,
    [
      sensorId,
      window.startUs,
      window.endUs,
      window.rateHz,
      features.spectrum.stepHz,
      features.spectrum.values,
      features.envelopeSpectrum?.stepHz ?? null,
      features.envelopeSpectrum?.values ?? null,
    ],
  );
}

/** The event announcing the window (without schemaVersion: the codec adds it). */
export function featureEvent(
  serial: string,
  window: Window,
  f: WindowFeatures,
  publishedAtMs: number,
  analysedAtMs: number,
): Omit<FeatureEvent, 'schemaVersion'> {
  return {
    serial,
    windowStartUs: window.startUs,
    windowEndUs: window.endUs,
    sampleRateHz: window.rateHz,
    accelerationRmsG: f.accelerationRmsG,
    accelerationPeakG: f.accelerationPeakG,
    crestFactor: f.crestFactor,
    kurtosis: f.kurtosis,
    velocityRmsMmS: f.velocityRmsMmS,
    isoClass: f.isoClass,
    isoZone: f.isoZone,
    dominantHz: f.dominantHz,
    diagnosis: f.diagnosis?.kind ?? null,
    diagnosisEvidence: f.diagnosis?.evidence ?? null,
    anomalyScore: f.anomalyScore,
    baselineStatus: f.baselineStatus,
    publishedAtMs,
    analysedAtMs,
    bpfoStrength: firstHarmonicStrength(f.defects, 'bpfo'),
    bpfiStrength: firstHarmonicStrength(f.defects, 'bpfi'),
    bsfStrength: firstHarmonicStrength(f.defects, 'bsf'),
    ftfStrength: firstHarmonicStrength(f.defects, 'ftf'),
  };
}
