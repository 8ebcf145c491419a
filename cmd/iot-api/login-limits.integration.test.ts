// Password guessing against the real login route, from several loopback addresses (the
// whole of 127/8 is this machine): the guesser is slowed and answered 429, the real user at
// another address logs in as always, and the metrics count both.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../utils/test/brokers.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import { FREE_FAILURES, FREE_FAILURES_PER_ADDRESS } from './login-limiter.js';
import { TestApi, startAdminSession } from './test-support.js';

const env = stackEnv();
const adminName = required(env, 'IOT_ADMIN_USERNAME');
const adminPassword = required(env, 'IOT_ADMIN_PASSWORD');
let session: Awaited<ReturnType<typeof startAdminSession>>;
let real: TestApi;
const attackers: TestApi[] = [];

/** A client calling from another loopback address. */
function attackerAt(address: string): TestApi {
  const client = new TestApi(real.baseUrl, { localAddress: address });
  attackers.push(client);
  return client;
}

beforeAll(async () => {
  session = await startAdminSession();
  real = session.api;
});

afterAll(async () => {
  for (const client of attackers) await client.close();
  await session?.close();
});

const guess = (client: TestApi, password: string, username = adminName) =>
  client.call('POST', '/api/v1/auth/login', { json: { username, password } });

async function loginCount(outcome: string): Promise<number> {
  const res = await request(`${real.baseUrl}/metrics`, { dispatcher: real.dispatcher });
  const metrics = await res.body.text();
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith(`iot_api_logins_total{outcome="${outcome}"`));
  return Number(line?.split(' ').at(-1) ?? 0);
}

describe('login limits', () => {
  it('after the free failures an address waits; the real user elsewhere does not', async () => {
    const attacker = attackerAt('127.0.0.3');
    for (let i = 0; i < FREE_FAILURES; i++) {
      expect((await guess(attacker, `wrong-${i}`)).status).toBe(401);
    }
    const refused = await guess(attacker, 'wrong-again');
    expect(refused.status).toBe(429);
    expect(refused.error?.code).toBe('too_many_requests');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Even the right password waits at that address: the guesser learns nothing from it.
    expect((await guess(attacker, adminPassword)).status).toBe(429);

    expect((await guess(real, adminPassword)).status).toBe(200);
  });

  it('40 guesses in parallel from one address: few are checked; a real login succeeds', async () => {
    const attacker = attackerAt('127.0.0.4');
    const throttledBefore = await loginCount('throttled');
    const flood = Array.from({ length: 40 }, (_, i) => guess(attacker, `flood-${i}`, `nobody${i}`));
    const login = guess(real, adminPassword);
    const [answers, mine] = await Promise.all([Promise.all(flood), login]);
    expect(mine.status).toBe(200);
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // However the 40 interleave, past the address's free failures each further one waits
    // twice as long (1 + 2 + 4 + 8 + 16 s is longer than this test): few get checked at all.
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeLessThanOrEqual(FREE_FAILURES_PER_ADDRESS + 5);
    const throttled = statuses.length - checked;
    expect(await loginCount('throttled')).toBeGreaterThanOrEqual(throttledBefore + throttled);
    expect(await loginCount('failure')).toBeGreaterThanOrEqual(FREE_FAILURES);
  });
});
