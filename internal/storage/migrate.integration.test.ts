// The migrations against the real local PostgreSQL (PostGIS, no TimescaleDB): each test gets
// a fresh, empty database made by the superuser over the stack's private unix socket, set up
// the way dependencies/timescaledb/init/001-init.sh sets up `iot` (owned by iot, PostGIS
// created); migrations then run as the owner iot, the way cmd/migrate does.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEnv } from '../../utils/test/stack-env.js';
import { MIGRATION_LOCK_KEY, readMigrationFiles, runMigrations } from './index.js';

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
        'api_key',
        'ingested_batch',
        'organization',
        'schema_migrations',
        'sensor',
        'sensor_command',
        'sensor_command_status',
        'sensor_log',
        'sensor_measurement',
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
        `INSERT INTO sensor_measurement (time, sensor_id, value)
         SELECT now() - i * INTERVAL '1 ms', $1, i FROM generate_series(1, 10) AS i`,
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
          'INSERT INTO sensor_measurement (time, sensor_id, value) VALUES (now(), 1, 1)',
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
