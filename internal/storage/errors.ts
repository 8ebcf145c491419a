// Errors of the storage package. Each has a stable `code` so that callers (cmd/migrate, the
// API, tests) branch on the code, never on the message, and the original error rides along
// as `cause`.

export type StorageErrorCode =
  | 'MIGRATION_FILE_INVALID'
  | 'MIGRATION_FILE_MISSING'
  | 'MIGRATION_CHECKSUM_MISMATCH'
  | 'MIGRATION_OUT_OF_ORDER'
  | 'MIGRATION_EXTENSION_MISSING'
  | 'MIGRATION_PREVIOUSLY_SKIPPED'
  | 'MIGRATION_FAILED';

export class StorageError extends Error {
  override readonly name: string = 'StorageError';
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A file in the migrations directory has a bad name or shares its version with another. */
export class MigrationFileError extends StorageError {
  override readonly name = 'MigrationFileError';

  constructor(
    readonly file: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super('MIGRATION_FILE_INVALID', `migration file ${file}: ${reason}`, options);
  }
}

/** The database recorded a migration whose file is gone. */
export class MigrationFileMissingError extends StorageError {
  override readonly name = 'MigrationFileMissingError';

  constructor(
    readonly version: number,
    readonly file: string,
  ) {
    super(
      'MIGRATION_FILE_MISSING',
      `migration ${file} (version ${version}) is recorded in schema_migrations but its file no longer exists`,
    );
  }
}

/** An applied migration's file was edited afterwards: add a new migration instead. */
export class MigrationChecksumError extends StorageError {
  override readonly name = 'MigrationChecksumError';

  constructor(
    readonly file: string,
    readonly recordedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      'MIGRATION_CHECKSUM_MISMATCH',
      `migration ${file} was changed after it was applied (recorded sha256 ${recordedChecksum}, ` +
        `file sha256 ${fileChecksum}); never edit an applied migration, add a new one`,
    );
  }
}

/** A pending migration sorts before one that is already applied. */
export class MigrationOrderError extends StorageError {
  override readonly name = 'MigrationOrderError';

  constructor(
    readonly file: string,
    readonly latestApplied: number,
  ) {
    super(
      'MIGRATION_OUT_OF_ORDER',
      `migration ${file} is not applied but version ${latestApplied} already is; ` +
        'renumber it after the latest applied migration',
    );
  }
}

/** A migration's `-- requires:` extensions are not installed on the server. */
export class MigrationExtensionMissingError extends StorageError {
  override readonly name = 'MigrationExtensionMissingError';

  constructor(
    readonly file: string,
    readonly extensions: readonly string[],
  ) {
    super(
      'MIGRATION_EXTENSION_MISSING',
      `migration ${file} requires the PostgreSQL extension(s) ${extensions.join(', ')}, ` +
        'which this server does not have (see pg_available_extensions)',
    );
  }
}

/** A migration was recorded as skipped earlier and this run no longer allows skipping it. */
export class MigrationPreviouslySkippedError extends StorageError {
  override readonly name = 'MigrationPreviouslySkippedError';

  constructor(readonly file: string) {
    super(
      'MIGRATION_PREVIOUSLY_SKIPPED',
      `migration ${file} was skipped earlier (skipRequiring) and cannot be applied out of order ` +
        'now; recreate this database',
    );
  }
}

/** A migration's SQL failed; its transaction was rolled back. */
export class MigrationFailedError extends StorageError {
  override readonly name = 'MigrationFailedError';

  constructor(
    readonly file: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super('MIGRATION_FAILED', `migration ${file} failed: ${detail}`, options);
  }
}
