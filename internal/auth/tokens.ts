// Login tokens: short-lived HS256 JWTs carrying who the caller is. The API re-reads the account
// on every request (a disabled account or a changed role takes effect at once); the token only
// proves the login happened recently.
import jwt from 'jsonwebtoken';
import { InvalidTokenError } from './errors.js';

export interface TokenClaims {
  /** The account id, as a string (JWT `sub`). */
  accountId: string;
  username: string;
}

const ALGORITHM = 'HS256';
const ISSUER = 'iot-api';

export function issueToken(
  secret: string,
  claims: TokenClaims,
  ttlMs: number,
  nowMs = Date.now(),
): { token: string; expiresAt: Date } {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + Math.max(1, Math.round(ttlMs / 1000));
  const token = jwt.sign({ username: claims.username, iat, exp }, secret, {
    algorithm: ALGORITHM,
    issuer: ISSUER,
    subject: claims.accountId,
  });
  return { token, expiresAt: new Date(exp * 1000) };
}

/** The claims of a valid token; InvalidTokenError (with the reason) for anything else. */
export function verifyToken(secret: string, token: string, nowMs = Date.now()): TokenClaims {
  let payload: string | jwt.JwtPayload;
  try {
    // `algorithms` pinned: a token cannot pick `none` or an asymmetric algorithm for itself.
    payload = jwt.verify(token, secret, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      clockTimestamp: Math.floor(nowMs / 1000),
    });
  } catch (error) {
    const reason =
      error instanceof jwt.TokenExpiredError
        ? 'token expired'
        : error instanceof jwt.JsonWebTokenError
          ? `invalid token (${error.message})`
          : 'invalid token';
    throw new InvalidTokenError(reason, { cause: error });
  }
  if (typeof payload === 'string' || !payload.sub || typeof payload.username !== 'string') {
    throw new InvalidTokenError('invalid token (missing claims)');
  }
  return { accountId: payload.sub, username: payload.username };
}
