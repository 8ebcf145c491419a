// Why a message could not be read. Consumers map both to a dead letter with the message
// as the reason; the `code` is what dashboards and tests match on.

export type RoutingErrorCode = 'MESSAGE_UNDECODABLE' | 'SCHEMA_VERSION_UNSUPPORTED';

export class RoutingError extends Error {
  override name = 'RoutingError';
  readonly code: RoutingErrorCode;
  constructor(code: RoutingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The bytes are not a message of the expected type. */
export class UndecodableMessageError extends RoutingError {
  override name = 'UndecodableMessageError';
  constructor(type: string, options?: { cause?: unknown }) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('MESSAGE_UNDECODABLE', `not a valid ${type} message${detail}`, options);
  }
}

/** The message decoded, but speaks a schema version this build does not understand. */
export class UnsupportedSchemaVersionError extends RoutingError {
  override name = 'UnsupportedSchemaVersionError';
  readonly version: number;
  constructor(type: string, version: number) {
    super(
      'SCHEMA_VERSION_UNSUPPORTED',
      `${type} has schema_version ${version}; this build understands ${SCHEMA_VERSION}`,
    );
    this.version = version;
  }
}

/** The one schema version this build writes and reads. */
export const SCHEMA_VERSION = 1;
