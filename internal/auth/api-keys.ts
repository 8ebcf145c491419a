// API keys for machines: `iot_<prefix>.<secret>`. The prefix is stored in clear to find the row;
// only a SHA-256 of the secret is stored (the secret is 32 random bytes, so a slow hash would add
// nothing but latency to every request). The whole key is shown once, at creation.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'iot_';

export interface NewApiKey {
  /** What the user keeps: shown once. */
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): NewApiKey {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { key: `${PREFIX}${prefix}.${secret}`, prefix, hash: hashSecret(secret) };
}

/** The prefix and secret of something shaped like an API key, or undefined (e.g. a JWT). */
export function parseApiKey(token: string): { prefix: string; secret: string } | undefined {
  const match = /^iot_([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { prefix: match[1]!, secret: match[2]! } : undefined;
}

export function apiKeyMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
