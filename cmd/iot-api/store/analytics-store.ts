// What sensor-analytics stored for a sensor, as operators read it (its features, newest
// first), and the one thing they may change: starting its baseline over.
import type { Static } from 'typebox';
import type { Feature } from '../../../internal/api-contract/index.js';
import {
  createBaseline,
  parseBaseline,
  resetBaseline,
  type Baseline,
} from '../../../internal/vibration/index.js';
import { inTransaction, type Queryable } from './queryable.js';
import type pg from 'pg';

/** As the API answers it: the schema's type (schemas.ts). */
export type FeatureView = Static<typeof Feature>;

interface FeatureRow {
  window_start: Date;
  window_end: Date;
  sample_rate_hz: number;
  acceleration_rms_g: number;
  acceleration_peak_g: number;
  crest_factor: number;
  kurtosis: number;
  velocity_rms_mm_s: number | null;
  iso_class: string | null;
  iso_zone: FeatureView['isoZone'];
  dominant_hz: number;
  diagnosis: string | null;
  diagnosis_evidence: string | null;
  anomaly_score: number | null;
  baseline_status: FeatureView['baselineStatus'];
  bpfo_strength: number | null;
  bpfi_strength: number | null;
  bsf_strength: number | null;
  ftf_strength: number | null;
}

const view = (r: FeatureRow): FeatureView => ({
  windowStart: r.window_start.toISOString(),
  windowEnd: r.window_end.toISOString(),
  sampleRateHz: r.sample_rate_hz,
  accelerationRmsG: r.acceleration_rms_g,
  accelerationPeakG: r.acceleration_peak_g,
  crestFactor: r.crest_factor,
  kurtosis: r.kurtosis,
  velocityRmsMmS: r.velocity_rms_mm_s,
  isoClass: r.iso_class,
  isoZone: r.iso_zone,
  dominantHz: r.dominant_hz,
  diagnosis: r.diagnosis,
  diagnosisEvidence: r.diagnosis_evidence,
  anomalyScore: r.anomaly_score,
  baselineStatus: r.baseline_status,
  bpfoStrength: r.bpfo_strength,
  bpfiStrength: r.bpfi_strength,
  bsfStrength: r.bsf_strength,
  ftfStrength: r.ftf_strength,
});

/** The newest `limit` windows starting in [since, until), newest first. */
export async function sensorFeatures(
  db: Queryable,
  sensorId: string,
  range: { since?: Date; until?: Date; limit: number },
): Promise<FeatureView[]> {
  const { rows } = await db.query<FeatureRow>(
    `SELECT window_start, window_end, sample_rate_hz, acceleration_rms_g, acceleration_peak_g,
            crest_factor, kurtosis, velocity_rms_mm_s, iso_class, iso_zone, dominant_hz,
            diagnosis, diagnosis_evidence, anomaly_score, baseline_status,
            bpfo_strength, bpfi_strength, bsf_strength, ftf_strength
       FROM sensor_feature
      WHERE sensor_id = $1
        AND ($2::timestamptz IS NULL OR window_start >= $2)
        AND ($3::timestamptz IS NULL OR window_start < $3)
      ORDER BY window_start DESC
      LIMIT $4`,
    [sensorId, range.since ?? null, range.until ?? null, range.limit],
  );
  return rows.map(view);
}

/**
 * Starts the sensor's baseline over: a fresh one at the same rate and length, so the windows
 * that follow are learned again and scored once it is complete. It takes the sensor's
 * sensor_baseline row FOR UPDATE, the lock sensor-analytics holds while it analyses a batch
 * (cmd/sensor-analytics/sensor-analysis.ts), so a batch in flight finishes against the old
 * baseline and the next one starts from the fresh one; the cursor and any pending samples
 * are kept, so no batch is taken for a duplicate or a gap. Null when the sensor has no
 * baseline yet (nothing analysed): there is nothing to reset.
 */
export async function resetSensorBaseline(
  pool: pg.Pool,
  sensorId: string,
): Promise<Baseline | null> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ baseline: unknown; sample_frequency: number }>(
      `SELECT b.baseline, s.sample_frequency
         FROM sensor_baseline b JOIN sensor s ON s.id = b.sensor_id
        WHERE b.sensor_id = $1 FOR UPDATE OF b`,
      [sensorId],
    );
    const row = rows[0];
    if (row === undefined) return null;
    const fresh = freshFrom(row.baseline, row.sample_frequency);
    await client.query(
      'UPDATE sensor_baseline SET baseline = $2, updated_at = now() WHERE sensor_id = $1',
      [sensorId, JSON.stringify(fresh)],
    );
    return fresh;
  });
}

/**
 * The stored baseline started over; one that cannot be read (which would stop the analysis)
 * is replaced by a fresh one at the sensor's reported rate: if the batches come at another
 * rate, sensor-analytics starts a baseline of its own configured length anyway.
 */
function freshFrom(stored: unknown, sampleFrequencyHz: number): Baseline {
  try {
    return resetBaseline(parseBaseline(stored));
  } catch {
    return createBaseline({ rateHz: sampleFrequencyHz });
  }
}
