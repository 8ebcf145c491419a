import { describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import {
  InvalidTokenError,
  apiKeyMatches,
  generateApiKey,
  hashPassword,
  issueToken,
  parseApiKey,
  verifyPassword,
  verifyToken,
} from './index.js';

describe('passwords', () => {
  it('verifies the right password and refuses others', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batter', hash)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'bcrypt$garbage')).toBe(false);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });
});

describe('tokens', () => {
  const secret = 's'.repeat(32);
  const claims = { accountId: '7', username: 'ana' };

  it('round-trips claims until expiry', () => {
    const { token, expiresAt } = issueToken(secret, claims, 60_000, 1_000_000);
    expect(expiresAt.getTime()).toBe(1_060_000);
    expect(verifyToken(secret, token, 1_030_000)).toEqual(claims);
    expect(() => verifyToken(secret, token, 1_061_000)).toThrow(/token expired/);
  });

  it.each([
    ['another secret', (t: string) => t, 'x'.repeat(32)],
    ['a tampered payload', (t: string) => tamper(t), undefined],
    [
      'alg none',
      () => jwt.sign({ username: 'ana', sub: '7', iss: 'iot-api' }, '', { algorithm: 'none' }),
      undefined,
    ],
    ['garbage', () => 'not.a.jwt', undefined],
  ])('refuses %s', (_name, make, otherSecret) => {
    const { token } = issueToken(secret, claims, 60_000);
    expect(() => verifyToken(otherSecret ?? secret, make(token))).toThrow(InvalidTokenError);
  });
});

function tamper(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  claims.sub = '1';
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

describe('api keys', () => {
  it('parses what it generates and matches only its own secret', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    const parsed = parseApiKey(a.key);
    expect(parsed?.prefix).toBe(a.prefix);
    expect(apiKeyMatches(parsed!.secret, a.hash)).toBe(true);
    expect(apiKeyMatches(parsed!.secret, b.hash)).toBe(false);
    expect(a.hash).not.toContain(parsed!.secret);
  });

  it.each(['eyJhbGciOiJIUzI1NiJ9.e30.sig', 'iot_short.x', ''])('%j is not an API key', (t) => {
    expect(parseApiKey(t)).toBeUndefined();
  });
});
