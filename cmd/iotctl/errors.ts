// Everything that can end an iotctl run, each with a stable `code` and the exit status it
// maps to. runCli prints `error: <message>` and nothing else, so every message here has to
// stand alone on one line: no stack, no "caused by" chain.

export type CliErrorCode =
  | 'USAGE'
  | 'API_ERROR'
  | 'NETWORK'
  | 'CONFIG'
  | 'NOT_LOGGED_IN'
  | 'COMMAND_FAILED'
  | 'TIMEOUT'
  | 'INTERRUPTED'
  | 'BAD_RESPONSE'
  | 'NOT_CONFIRMED'
  | 'NOT_FOUND'
  | 'EMPTY_USERNAME'
  | 'EMPTY_PASSWORD'
  | 'PASSWORD_MISMATCH';

export class CliError extends Error {
  override name = 'CliError';
  readonly code: CliErrorCode;
  /** 1 failure, 2 bad usage, 130 interrupted. */
  readonly exitCode: number;
  constructor(
    code: CliErrorCode,
    message: string,
    options?: { cause?: unknown; exitCode?: number },
  ) {
    super(message, options);
    this.code = code;
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** The command line is wrong in a way commander could not see (e.g. --yes needed off a TTY). */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message, { exitCode: 2 });
  }
}

/** The API answered `{"error": {code, message}}` (or a non-JSON error page). */
export class ApiResponseError extends CliError {
  override name = 'ApiResponseError';
  readonly status: number;
  /** The API's own code: `not_found`, `unauthenticated`, … */
  readonly apiCode: string;
  constructor(status: number, apiCode: string, message: string) {
    super('API_ERROR', message);
    this.status = status;
    this.apiCode = apiCode;
  }
}

/** No HTTP answer at all: refused, DNS, TLS, reset, timed out. */
export class NetworkError extends CliError {
  override name = 'NetworkError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('NETWORK', message, options);
  }
}

/**
 * A context that is not there, or an API address or CA file that cannot be used. (A config file
 * that cannot be read or written is internal/iotctl-config's ConfigFileError.)
 */
export class ContextError extends CliError {
  override name = 'ContextError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
  }
}

/** No token to send: not logged in and no IOT_API_TOKEN. */
export class NotLoggedInError extends CliError {
  override name = 'NotLoggedInError';
  constructor(context: string) {
    super('NOT_LOGGED_IN', `not logged in (context "${context}"); run 'iotctl login'`);
  }
}

/** A sensor command ended rejected or expired. */
export class CommandFailedError extends CliError {
  override name = 'CommandFailedError';
  constructor(message: string) {
    super('COMMAND_FAILED', message);
  }
}

/** --wait ran out of --timeout before the command reached a final status. */
export class WaitTimeoutError extends CliError {
  override name = 'WaitTimeoutError';
  constructor(message: string) {
    super('TIMEOUT', message);
  }
}

/** Ctrl-C where stopping is not the normal end (a prompt, --wait, a plain request). */
export class InterruptedError extends CliError {
  override name = 'InterruptedError';
  constructor(message = 'interrupted') {
    super('INTERRUPTED', message, { exitCode: 130 });
  }
}
