// A few thousand random and mutated requests at the real API (fast-check: generated, and
// shrunk to the smallest failing request when one fails): whatever comes in, the answer is a
// status below 500 in the platform's error shape, never a crash or an internal error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSensor, uniqueSerial } from '../../utils/test/database.js';
import { useAdminSession } from './test-support.js';

const t = useAdminSession();

/** Requests per property: enough to reach every route with odd input many times over. */
const RUNS = 700;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Every route, with its path parameters as `:name`. */
const ROUTES: [Method, string][] = [
  ['GET', '/accounts'],
  ['POST', '/accounts'],
  ['PATCH', '/accounts/:username'],
  ['GET', '/alarms'],
  ['POST', '/alarms/:id/ack'],
  ['GET', '/api-keys'],
  ['POST', '/api-keys'],
  ['DELETE', '/api-keys/:id'],
  ['GET', '/commands/:id'],
  ['GET', '/me'],
  ['GET', '/organizations'],
  ['POST', '/organizations'],
  ['GET', '/sensors'],
  ['POST', '/sensors'],
  ['GET', '/sensors/:serial'],
  ['DELETE', '/sensors/:serial'],
  ['POST', '/sensors/:serial/baseline/reset'],
  ['GET', '/sensors/:serial/commands'],
  ['POST', '/sensors/:serial/commands'],
  ['GET', '/sensors/:serial/features'],
  ['GET', '/sensors/:serial/logs'],
  ['PUT', '/sensors/:serial/target'],
  ['GET', '/targets'],
  ['POST', '/targets'],
  ['PATCH', '/targets/:name'],
  ['DELETE', '/targets/:name'],
];

/** Strings an attacker tries: controls, bidi overrides, huge numbers, times, SQL, paths. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\u202eevil',
    '\u2066x\u2069',
    '\ud800',
    '2016-12-31T23:59:60Z',
    '9999-99-99T99:99:99Z',
    '-1',
    '1e309',
    '99999999999999999999999',
    "'; DROP TABLE sensor; --",
    '../../etc/passwd',
    '%00',
    '',
    ' ',
    'null',
  ),
);

/** A JSON value: anything, or a plausible body with one field made odd. */
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      name: nasty,
      username: nasty,
      password: nasty,
      role: fc.oneof(fc.constantFrom('viewer', 'operator', 'admin'), nasty),
      serial: nasty,
      target: fc.oneof(nasty, fc.constant(null)),
      type: fc.oneof(fc.constantFrom('sleep', 'awake', 'set_sample_frequency'), nasty),
      sampleFrequencyHz: fc.oneof(fc.double(), nasty, fc.integer()),
      rpm: fc.oneof(fc.double(), nasty),
      bearing: fc.jsonValue({ maxDepth: 2 }),
      disabled: fc.oneof(fc.boolean(), nasty),
      admin: fc.jsonValue({ maxDepth: 2 }),
      expiresInDays: fc.oneof(fc.integer(), nasty),
    },
    { requiredKeys: [] },
  ),
);

/** A path parameter: raw (percent-encoded as a client would) or a hand-made escape. */
const param = fc.oneof(
  // Every UTF-8 byte percent-encoded: lone surrogates and controls reach the server as sent.
  nasty.map((s) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.constantFrom(
    '%00',
    '%FF',
    '%E2%80%AE',
    '%2F..%2F',
    'AAD-1123',
    '1',
    '00000000-0000-0000-0000-000000000000',
  ),
);

const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(fc.constantFrom('since', 'until', 'limit', 'all', 'x'), nasty, { maxKeys: 3 })
    .map((q) => `?${new URLSearchParams(q).toString()}`),
);

describe('fuzzing the API', () => {
  it(`${RUNS} random requests to every route: never a 500`, async () => {
    const serial = uniqueSerial('FUZZ');
    await createSensor(t.pool, serial);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        param,
        query,
        fc.option(body, { nil: undefined }),
        fc.boolean(),
        async ([method, template], p, q, json, realSerial) => {
          const path = template.replace(/:\w+/, realSerial ? serial : p) + q;
          const res = await t.api.call(method, `/api/v1${path}`, { token: t.admin, json });
          expect(res.status, `${method} ${path} ${JSON.stringify(json)}`).toBeLessThan(500);
          if (res.status >= 400) expect(res.error?.code).toEqual(expect.any(String));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`${RUNS} malformed bodies (broken JSON, wrong media types): never a 500`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES.filter(([method]) => method !== 'GET')),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/json; charset=latin1',
          'application/x-www-form-urlencoded',
        ),
        async ([method, template], raw, type) => {
          const path = template.replace(/:\w+/, 'AAD-1');
          const res = await t.api.call(method, `/api/v1${path}`, {
            token: t.admin,
            raw,
            headers: { 'content-type': type },
          });
          expect(res.status, `${method} ${path} ${JSON.stringify(raw)}`).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`${RUNS} login attempts with odd credentials: a 4xx each, never a 500`, async () => {
    await fc.assert(
      fc.asyncProperty(body, async (json) => {
        const res = await t.api.call('POST', '/api/v1/auth/login', { json });
        expect(res.status, JSON.stringify(json)).toBeGreaterThanOrEqual(400);
        expect(res.status, JSON.stringify(json)).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });
});
