// The migrations against the real local PostgreSQL (PostGIS, no TimescaleDB): each test gets
// a fresh, empty database made by the superuser over the stack's private unix socket, set up
// the way dependencies/timescaledb/init/001-init.sh sets up `iot` (owned by iot, PostGIS
// created); migrations then run as the owner iot, the way cmd/migrate does.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEnv } from '../../utils/test/stack-env.js';
import { MIGRATION_LOCK_KEY, migrationsDir, readMigrationFiles, runMigrations } from './index.js';

const env = stackEnv();

function superuserClient(database: string): pg.Client {
  return new pg.Client({
    host: env.IOT_POSTGRES_SOCKET_DIR,
    port: Number(env.IOT_POSTGRES_PORT),
    user: 'postgres',
    database,
  });
}

/** The stack's URL for a role, pointed at another database. */
function urlFor(variable: string, database: string): string {
  const raw = env[variable];
  if (!raw) throw new Error(`${variable} is missing from .stack/env`);
  const url = new URL(raw);
  url.pathname = `/${database}`;
  return url.toString();
}

async function connect(variable: string, database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: urlFor(variable, database) });
  await client.connect();
  return client;
}

const scratchDatabases: string[] = [];

async function createScratchDatabase(): Promise<string> {
  const name = `iot_migrate_test_${randomBytes(4).toString('hex')}`;
  const admin = superuserClient('postgres');
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} OWNER iot`);
    scratchDatabases.push(name);
  } finally {
    await admin.end();
  }
  const inDb = superuserClient(name);
  await inDb.connect();
  try {
    await inDb.query('ALTER SCHEMA public OWNER TO iot');
    await inDb.query('CREATE EXTENSION IF NOT EXISTS postgis');
  } finally {
    await inDb.end();
  }
  return name;
}

async function withClient<T>(
  variable: string,
  database: string,
  use: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connect(variable, database);
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  const admin = superuserClient('postgres');
  await admin.connect();
  try {
    for (const name of scratchDatabases) {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
});

describe('migrations on the local PostgreSQL', () => {
  let database: string;
  let fileNames: string[];

  beforeAll(async () => {
    database = await createScratchDatabase();
    fileNames = (await readMigrationFiles()).map((file) => file.name);
  });

  it('apply to an empty database, then a second run applies nothing', async () => {
    await withClient('IOT_DATABASE_OWNER_URL', database, async (owner) => {
      const first = await runMigrations(owner);
      expect(first).toEqual({ applied: fileNames, skipped: [], alreadyApplied: 0 });
      const second = await runMigrations(owner);
      expect(second).toEqual({ applied: [], skipped: [], alreadyApplied: fileNames.length });
    });
  });

  it('took the plain PostgreSQL path: tables, no TimescaleDB', async () => {
    await withClient('IOT_DATABASE_OWNER_URL', database, async (owner) => {
      const extensions = await owner.query<{ extname: string }>(
        "SELECT extname FROM pg_extension WHERE extname IN ('timescaledb', 'postgis')",
      );
      expect(extensions.rows.map((row) => row.extname)).toEqual(['postgis']);
      const tables = await owner.query<{ relname: string }>(
        `SELECT relname FROM pg_class
         WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND relowner = 'iot'::regrole
         ORDER BY relname`,
      );
      expect(tables.rows.map((row) => row.relname)).toEqual([
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
        'target_location',
      ]);
    });
  });

  it('made target_location.location a PostGIS geography(Point, 4326)', async () => {
    await withClient('IOT_DATABASE_OWNER_URL', database, async (owner) => {
      const { rows } = await owner.query(
        `SELECT type, srid FROM geography_columns
         WHERE f_table_name = 'target_location' AND f_geography_column = 'location'`,
      );
      expect(rows).toEqual([{ type: 'Point', srid: 4326 }]);
    });
  });

  it('lets iot_app read and write rows, but not the migration history', async () => {
    await withClient('IOT_DATABASE_URL', database, async (app) => {
      // An identity column: needs the sequence grant too.
      const sensor = await app.query<{ id: string }>(
        `INSERT INTO sensor (serial_number, organization_id, sample_frequency)
         SELECT 'GRANT-1', id, 1000 FROM organization WHERE name = 'default' RETURNING id`,
      );
      const sensorId = sensor.rows[0]?.id;
      await app.query(
        `INSERT INTO sensor_measurement
           (sensor_id, start_time, end_time, sample_rate_hz, sequence, sample_count, samples)
         SELECT $1, now() - i * INTERVAL '1 s', now() - (i - 1) * INTERVAL '1 s', 2, i, 2,
                ARRAY[i, -i]::real[]
         FROM generate_series(1, 10) AS i`,
        [sensorId],
      );
      const { rows } = await app.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM sensor_measurement WHERE sensor_id = $1',
        [sensorId],
      );
      expect(rows[0]?.n).toBe(10);
      await app.query(
        `INSERT INTO target_location (time, sensor_id, location, speed_mps)
         VALUES (now(), $1, ST_SetSRID(ST_MakePoint(-70.65, -33.45), 4326)::geography, 3.5)`,
        [sensorId],
      );
      await expect(
        app.query(
          "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'x', 'x')",
        ),
      ).rejects.toMatchObject({ code: '42501' });
      await expect(app.query('CREATE TABLE sneaky (id int)')).rejects.toMatchObject({
        code: '42501',
      });
    });
  });

  it('lets iot_readonly read but not write', async () => {
    await withClient('IOT_DATABASE_READONLY_URL', database, async (readonly) => {
      const { rows } = await readonly.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM sensor_measurement',
      );
      expect(rows[0]?.n).toBe(10);
      await expect(
        readonly.query(
          `INSERT INTO sensor_measurement
             (sensor_id, start_time, end_time, sample_rate_hz, sequence, sample_count, samples)
           VALUES (1, now(), now() + INTERVAL '1 s', 1, 1, 1, ARRAY[1]::real[])`,
        ),
      ).rejects.toMatchObject({ code: '42501' });
    });
  });

  it('covers tables of later migrations through default privileges', async () => {
    await withClient('IOT_DATABASE_OWNER_URL', database, async (owner) => {
      await owner.query('CREATE TABLE later_table (id int)');
    });
    await withClient('IOT_DATABASE_URL', database, async (app) => {
      await app.query('INSERT INTO later_table VALUES (1)');
    });
    await withClient('IOT_DATABASE_READONLY_URL', database, async (readonly) => {
      const { rows } = await readonly.query('SELECT id FROM later_table');
      expect(rows).toEqual([{ id: 1 }]);
    });
  });
});

describe('the move to waveform blocks (0013)', () => {
  it('carries per-sample rows over into blocks, nothing dropped, times exact', async () => {
    const database = await createScratchDatabase();
    const files = await readMigrationFiles();
    const before = await mkdtemp(path.join(tmpdir(), 'iot-migrations-'));
    for (const file of files.filter((f) => f.version < 13)) {
      await copyFile(path.join(migrationsDir, file.name), path.join(before, file.name));
    }
    await withClient('IOT_DATABASE_OWNER_URL', database, async (owner) => {
      await runMigrations(owner, { dir: before });
      const sensor = async (serial: string, hz: number) =>
        Number(
          (
            await owner.query<{ id: string }>(
              `INSERT INTO sensor (serial_number, organization_id, sample_frequency)
               SELECT $1, id, $2 FROM organization WHERE name = 'default' RETURNING id`,
              [serial, hz],
            )
          ).rows[0]?.id,
        );
      const [a, b] = [await sensor('OLD-A', 100), await sensor('OLD-B', 3)];
      // 3200 Hz: a period of 312.5 µs, so the spacing of the stored (rounded) times alone
      // would give 3199.998 Hz and blocks that overlap by a microsecond.
      const c = await sensor('OLD-C', 3200);
      // How the row layout stored batches: a row per sample and a bookkeeping row per batch.
      const t0 = '2026-11-01T00:00:00Z';
      const store = async (id: number, seq: number, startUs: number, rate: number, n: number) => {
        await owner.query(
          `INSERT INTO ingested_batch (sensor_id, sequence, start_time, sample_count)
           VALUES ($1, $2, $3::timestamptz + $4 * INTERVAL '1 microsecond', $5)`,
          [id, seq, t0, startUs, n],
        );
        await owner.query(
          `INSERT INTO sensor_measurement (time, sensor_id, value)
           SELECT $3::timestamptz + ($4 + round(i * 1e6 / $5)) * INTERVAL '1 microsecond', $1,
                  $2 * 1000 + i + 0.5
           FROM generate_series(0, $6 - 1) AS i`,
          [id, seq, t0, startUs, rate, n],
        );
      };
      for (let k = 0; k < 3; k++) await store(a, k + 1, k * 1e6, 100, 100);
      await store(b, 7, 0, 3, 3);
      await store(b, 8, 1e6, 3, 3);
      await store(c, 1, 0, 3200, 3200);
      await store(c, 2, 1e6, 3200, 3200);
      // A row no batch accounts for (written by hand).
      await owner.query(
        `INSERT INTO sensor_measurement (time, sensor_id, value)
         VALUES ($2::timestamptz + INTERVAL '1 hour', $1, 42)`,
        [a, t0],
      );
      const samples = async (table: 'old' | 'new', serial: string, id: number) =>
        (
          await owner.query<{ us: string; value: number }>(
            table === 'old'
              ? `SELECT (extract(epoch FROM time) * 1e6)::bigint AS us, value::real AS value
                 FROM sensor_measurement WHERE sensor_id = $1 ORDER BY time`
              : `SELECT (extract(epoch FROM time) * 1e6)::bigint AS us, value
                 FROM sensor_samples($1, '-infinity', 'infinity')`,
            table === 'old' ? [id] : [serial],
          )
        ).rows.map((r) => [r.us, r.value]);
      const oldA = await samples('old', 'OLD-A', a);
      const oldB = await samples('old', 'OLD-B', b);
      const oldC = await samples('old', 'OLD-C', c);
      expect(oldC).toHaveLength(6400);
      expect(oldA).toHaveLength(301);

      const summary = await runMigrations(owner);
      // 0013 and whatever came after it.
      expect(summary.applied).toEqual(files.filter((f) => f.version >= 13).map((f) => f.name));
      expect(summary.applied[0]).toBe('0013_waveform_blocks.sql');
      expect(await samples('new', 'OLD-A', a)).toEqual(oldA);
      expect(await samples('new', 'OLD-B', b)).toEqual(oldB);
      expect(await samples('new', 'OLD-C', c)).toEqual(oldC);
      const { rows } = await owner.query(
        `SELECT s.serial_number AS serial, m.sequence::int, m.sample_rate_hz AS rate,
                m.sample_count AS n, to_char(m.start_time AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS start,
                to_char(m.end_time AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS end
         FROM sensor_measurement m JOIN sensor s ON s.id = m.sensor_id ORDER BY 1, m.start_time`,
      );
      expect(rows).toEqual([
        {
          serial: 'OLD-A',
          sequence: 1,
          rate: 100,
          n: 100,
          start: '00:00:00.000000',
          end: '00:00:01.000000',
        },
        {
          serial: 'OLD-A',
          sequence: 2,
          rate: 100,
          n: 100,
          start: '00:00:01.000000',
          end: '00:00:02.000000',
        },
        {
          serial: 'OLD-A',
          sequence: 3,
          rate: 100,
          n: 100,
          start: '00:00:02.000000',
          end: '00:00:03.000000',
        },
        // The hand-written row: a block of one sample at the sensor's rate, sequence 0.
        {
          serial: 'OLD-A',
          sequence: 0,
          rate: 100,
          n: 1,
          start: '01:00:00.000000',
          end: '01:00:00.010000',
        },
        {
          serial: 'OLD-B',
          sequence: 7,
          rate: 3,
          n: 3,
          start: '00:00:00.000000',
          end: '00:00:01.000000',
        },
        {
          serial: 'OLD-B',
          sequence: 8,
          rate: 3,
          n: 3,
          start: '00:00:01.000000',
          end: '00:00:02.000000',
        },
        // The reported rate, not the rounded spacing's 3199.998: blocks meet exactly.
        {
          serial: 'OLD-C',
          sequence: 1,
          rate: 3200,
          n: 3200,
          start: '00:00:00.000000',
          end: '00:00:01.000000',
        },
        {
          serial: 'OLD-C',
          sequence: 2,
          rate: 3200,
          n: 3200,
          start: '00:00:01.000000',
          end: '00:00:02.000000',
        },
      ]);
      const gone = await owner.query(
        "SELECT to_regclass('ingested_batch') AS a, to_regclass('sensor_measurement_rows') AS b",
      );
      expect(gone.rows).toEqual([{ a: null, b: null }]);
    });
  });
});

describe('two migration runners at once', () => {
  it('wait for the lock, then both succeed and the migrations are applied once', async () => {
    const database = await createScratchDatabase();
    const fileNames = (await readMigrationFiles()).map((file) => file.name);
    const [holder, a, b] = await Promise.all([
      connect('IOT_DATABASE_OWNER_URL', database),
      connect('IOT_DATABASE_OWNER_URL', database),
      connect('IOT_DATABASE_OWNER_URL', database),
    ]);
    const advisoryLocks = async (granted: boolean): Promise<number> => {
      const { rows } = await holder.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
         WHERE locktype = 'advisory' AND granted = $1
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [granted],
      );
      return rows[0]?.n ?? -1;
    };
    try {
      // Hold the runners' lock so that both are certain to contend for it.
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const waiting: string[] = [];
      const logger = {
        info: (_obj: object, msg: string) => {
          waiting.push(msg);
        },
      };
      const runs = Promise.all([runMigrations(a, { logger }), runMigrations(b, { logger })]);
      await expect.poll(() => advisoryLocks(false), { timeout: 10_000 }).toBe(2);
      expect(waiting).toHaveLength(2);
      const before = await holder.query("SELECT to_regclass('schema_migrations') AS t");
      expect(before.rows).toEqual([{ t: null }]);
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);

      const summaries = await runs;
      const appliedCounts = summaries.map((summary) => summary.applied.length).sort();
      expect(appliedCounts).toEqual([0, fileNames.length]);
      const second = summaries.find((summary) => summary.applied.length === 0);
      expect(second?.alreadyApplied).toBe(fileNames.length);
      const { rows } = await holder.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM schema_migrations',
      );
      expect(rows[0]?.n).toBe(fileNames.length);
      // Both runners let go of the lock.
      expect(await advisoryLocks(true)).toBe(0);
    } finally {
      await Promise.all([holder.end(), a.end(), b.end()]);
    }
  });
});

describe('the stack database iot', () => {
  it('is fully migrated already (by the global setup), so a run applies nothing', async () => {
    await withClient('IOT_DATABASE_OWNER_URL', 'iot', async (owner) => {
      const summary = await runMigrations(owner);
      expect(summary.applied).toEqual([]);
      expect(summary.skipped).toEqual([]);
    });
  });
});
