// Errors of internal/auth, with stable codes the API maps to statuses.
export type AuthErrorCode = 'TOKEN_INVALID';

export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class InvalidTokenError extends AuthError {
  override name = 'InvalidTokenError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('TOKEN_INVALID', message, options);
  }
}
