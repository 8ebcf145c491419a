// The API's errors: each has a stable code and an HTTP status, mapped in one place, and is
// answered as {"error": {"code", "message"}}. These codes are the HTTP contract (API.md;
// iotctl and scripts match on them) and stay snake_case; the packages' own error codes, and
// the health server's answers, are UPPER_SNAKE_CASE.
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);
export const invalid = (message: string) => new ApiError('invalid_request', message);
