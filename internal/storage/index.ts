// Public API of internal/storage. Other packages import from here only.
export { MIGRATION_LOCK_KEY, runMigrations } from './migrate.js';
export type { MigrateOptions, MigrationLogger, MigrationSummary, SqlSession } from './migrate.js';
export { migrationsDir, readMigrationFiles } from './migration-files.js';
export type { MigrationFile } from './migration-files.js';
export {
  MigrationChecksumError,
  MigrationExtensionMissingError,
  MigrationFailedError,
  MigrationFileError,
  MigrationFileMissingError,
  MigrationOrderError,
  MigrationPreviouslySkippedError,
  StorageError,
} from './errors.js';
export type { StorageErrorCode } from './errors.js';
export { SensorDirectory } from './sensor-directory.js';
export type { SensorRef } from './sensor-directory.js';
export { createPool, databaseReady } from './pool.js';
export { LastSeen } from './last-seen.js';
export { RawRetention, RETENTION_BATCH_BLOCKS, RETENTION_INTERVAL_MS } from './raw-retention.js';
export type { RawRetentionOptions } from './raw-retention.js';
export { BLOCK_COLUMNS, copyHeader, copyTrailer, encodeBlockRow } from './block-copy.js';
export { classifyDatabaseFailure } from './database-failure.js';
export type { DatabaseFailure } from './database-failure.js';
export { reportTime } from './report-time.js';
