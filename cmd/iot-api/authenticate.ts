// Who is calling: a login JWT or an API key in `Authorization: Bearer …`. The account is
// re-read on every request, so disabling it or changing its role takes effect at once.
import type pg from 'pg';
import {
  InvalidTokenError,
  apiKeyMatches,
  parseApiKey,
  verifyToken,
} from '../../internal/auth/index.js';
import { ApiError } from './errors.js';
import {
  accountById,
  apiKeyByPrefix,
  roleAllows,
  touchApiKey,
  type Principal,
  type Role,
} from './store/accounts-store.js';

const unauthenticated = (message: string) => new ApiError('unauthenticated', message);

export async function authenticate(
  pool: pg.Pool,
  jwtSecret: string,
  authorization: string | undefined,
): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw unauthenticated('missing "Authorization: Bearer <token>" header');
  const token = match[1]!;

  const apiKey = parseApiKey(token);
  if (apiKey) {
    const found = await apiKeyByPrefix(pool, apiKey.prefix);
    if (!found || !apiKeyMatches(apiKey.secret, found.keyHash)) {
      throw unauthenticated('API key unknown, revoked or expired');
    }
    await touchApiKey(pool, found.keyId);
    return found.principal;
  }

  let claims;
  try {
    claims = verifyToken(jwtSecret, token);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw unauthenticated(error.message);
    throw error;
  }
  const principal = await accountById(pool, claims.accountId);
  if (!principal) throw unauthenticated('the account behind this token is disabled or gone');
  return principal;
}

export function requireRole(principal: Principal, needed: Role): void {
  if (!roleAllows(principal.role, needed)) {
    throw new ApiError(
      'forbidden',
      `this needs the ${needed} role; ${principal.username} is ${principal.role}`,
    );
  }
}
