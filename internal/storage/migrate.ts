// The migration runner: applies internal/storage/migrations/*.sql in order, each in its own
// transaction together with its row in schema_migrations, under a session advisory lock so
// that two runners (two replicas starting at once, a test next to `npm start`) never interleave.
//
// It accepts anything with pg's `query` shape: a pg Client or PoolClient, or a PGlite
// instance (whose `exec` runs multi-statement SQL, which its `query` cannot).
import {
  MigrationChecksumError,
  MigrationExtensionMissingError,
  MigrationFailedError,
  MigrationFileMissingError,
  MigrationOrderError,
  MigrationPreviouslySkippedError,
} from './errors.js';
import { migrationsDir, readMigrationFiles, type MigrationFile } from './migration-files.js';

/** One database connection. Must be a single session (not a pool): the lock and the
 * transactions live on it. */
export interface SqlSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a multi-statement script; when absent, `query(sql)` without params must do so (pg). */
  exec?(sql: string): Promise<unknown>;
}

/** pino-shaped; `logger.info(obj, msg)`. */
export interface MigrationLogger {
  info(obj: Record<string, unknown>, msg: string): void;
}

export interface MigrateOptions {
  /** Defaults to `migrationsDir`. */
  dir?: string;
  /**
   * Extensions whose absence skips, rather than fails, the migrations requiring them. Only for
   * the PGlite test, which has no PostGIS. A skipped migration is recorded (with its checksum),
   * so it stays skipped and checked on later runs.
   */
  skipRequiring?: readonly string[];
  logger?: MigrationLogger;
}

export interface MigrationSummary {
  /** File names applied by this run, in order. */
  applied: string[];
  /** File names recorded as skipped by this run. */
  skipped: string[];
  /** Migrations found already recorded (applied or skipped) and unchanged. */
  alreadyApplied: number;
}

/**
 * Key of the session-level advisory lock held for a whole run ("iot-mig" in ASCII). In
 * pg_locks: locktype 'advisory', classid 6909812, objid 762145127, objsubid 1.
 */
export const MIGRATION_LOCK_KEY = '29677417323653479';

const CREATE_BOOKKEEPING = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    skipped    boolean     NOT NULL DEFAULT false,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

interface RecordedMigration {
  version: number;
  name: string;
  checksum: string;
  skipped: boolean;
}

const silentLogger: MigrationLogger = { info: () => undefined };

export async function runMigrations(
  session: SqlSession,
  options: MigrateOptions = {},
): Promise<MigrationSummary> {
  // A pg Pool would send each query to whichever connection is free: the lock, BEGIN and
  // COMMIT would land on different sessions.
  if ('totalCount' in session && 'connect' in session) {
    throw new TypeError('runMigrations needs one connection (await pool.connect()), not a Pool');
  }
  const logger = options.logger ?? silentLogger;
  const skipRequiring = new Set(options.skipRequiring ?? []);
  const files = await readMigrationFiles(options.dir ?? migrationsDir);

  await acquireLock(session, logger);
  let failed = true;
  try {
    await session.query(CREATE_BOOKKEEPING);
    const recorded = await readRecorded(session);
    verifyRecorded(files, recorded, skipRequiring);

    const pending = files.filter((file) => !recorded.has(file.version));
    const latest = Math.max(0, ...recorded.keys());
    const early = pending.find((file) => file.version < latest);
    if (early) throw new MigrationOrderError(early.name, latest);

    // Decide every pending file before applying any, so a missing extension fails the run
    // before it changes anything.
    const available = await availableExtensions(session, pending);
    const plan = pending.map((file) => {
      const missing = file.requires.filter((name) => !available.has(name));
      const notSkippable = missing.filter((name) => !skipRequiring.has(name));
      if (notSkippable.length > 0) throw new MigrationExtensionMissingError(file.name, missing);
      return { file, missing };
    });

    const summary: MigrationSummary = { applied: [], skipped: [], alreadyApplied: recorded.size };
    for (const { file, missing } of plan) {
      const started = Date.now();
      const skip = missing.length > 0;
      await applyOne(session, file, skip);
      if (skip) {
        summary.skipped.push(file.name);
        logger.info({ migration: file.name, missing }, 'migration skipped');
      } else {
        summary.applied.push(file.name);
        logger.info({ migration: file.name, ms: Date.now() - started }, 'migration applied');
      }
    }
    failed = false;
    return summary;
  } finally {
    // If the run failed, a failing unlock must not hide why (and a dead connection has
    // released the lock anyway).
    await session
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch((err: unknown) => {
        if (!failed) throw err;
      });
  }
}

async function acquireLock(session: SqlSession, logger: MigrationLogger): Promise<void> {
  const { rows } = await session.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock($1) AS locked',
    [MIGRATION_LOCK_KEY],
  );
  if (rows[0]?.locked === true) return;
  logger.info({ lockKey: MIGRATION_LOCK_KEY }, 'another migration run holds the lock; waiting');
  await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
}

async function readRecorded(session: SqlSession): Promise<Map<number, RecordedMigration>> {
  const { rows } = await session.query<RecordedMigration>(
    'SELECT version, name, checksum, skipped FROM schema_migrations ORDER BY version',
  );
  return new Map(rows.map((row) => [row.version, row]));
}

function verifyRecorded(
  files: readonly MigrationFile[],
  recorded: ReadonlyMap<number, RecordedMigration>,
  skipRequiring: ReadonlySet<string>,
): void {
  const byVersion = new Map(files.map((file) => [file.version, file]));
  for (const row of recorded.values()) {
    const file = byVersion.get(row.version);
    if (!file) throw new MigrationFileMissingError(row.version, row.name);
    if (file.checksum !== row.checksum) {
      throw new MigrationChecksumError(file.name, row.checksum, file.checksum);
    }
    if (row.skipped && !file.requires.some((name) => skipRequiring.has(name))) {
      throw new MigrationPreviouslySkippedError(file.name);
    }
  }
}

/** Extensions, among those the pending files require, that are installed or installable. */
async function availableExtensions(
  session: SqlSession,
  pending: readonly MigrationFile[],
): Promise<Set<string>> {
  const wanted = [...new Set(pending.flatMap((file) => file.requires))];
  if (wanted.length === 0) return new Set();
  const { rows } = await session.query<{ name: string }>(
    `SELECT name FROM pg_available_extensions WHERE name = ANY($1::text[])
     UNION SELECT extname FROM pg_extension WHERE extname = ANY($1::text[])`,
    [wanted],
  );
  return new Set(rows.map((row) => row.name));
}

async function applyOne(session: SqlSession, file: MigrationFile, skip: boolean): Promise<void> {
  await session.query('BEGIN');
  try {
    if (!skip) {
      await (session.exec ? session.exec(file.sql) : session.query(file.sql));
    }
    await session.query(
      'INSERT INTO schema_migrations (version, name, checksum, skipped) VALUES ($1, $2, $3, $4)',
      [file.version, file.name, file.checksum, skip],
    );
    await session.query('COMMIT');
  } catch (err) {
    // The original error is what matters; a failed ROLLBACK means the connection is gone.
    await session.query('ROLLBACK').catch(() => undefined);
    throw new MigrationFailedError(file.name, describeSqlError(err, file.sql), { cause: err });
  }
}

/** The error's message, with the line it points at when the server gave a position. */
function describeSqlError(err: unknown, sql: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const position = Number((err as { position?: unknown } | null)?.position);
  if (!Number.isInteger(position) || position < 1) return message;
  const line = sql.slice(0, position - 1).split('\n').length;
  return `${message} (line ${line})`;
}
