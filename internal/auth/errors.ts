// Errors of internal/auth, with stable codes the API maps to statuses.
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly code: 'invalid_token',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class InvalidTokenError extends AuthError {
  override name = 'InvalidTokenError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_token', message, options);
  }
}
