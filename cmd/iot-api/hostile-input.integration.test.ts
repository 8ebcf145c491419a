// Requests an attacker or a broken script would send: each must get a 4xx naming the problem,
// never a 500 and never a coerced value. Each case here was a hole once (issue 15).
import { describe, expect, it } from 'vitest';
import { createSensor, uniqueSerial } from '../../utils/test/database.js';
import { useAdminSession } from './test-support.js';

const t = useAdminSession();

/** Characters that must never make it into a name: NUL, other controls, bidi overrides. */
const UNSAFE = {
  nul: '\u0000',
  escape: '\u001b[31m',
  newline: '\n',
  'right-to-left override': '\u202e',
  'left-to-right isolate': '\u2066',
  'zero-width space': '\u200b',
  'line separator': '\u2028',
};

describe('bodies are taken as sent, never converted', () => {
  it.each([
    ['a number for a name', { name: 123 }, 'body.name'],
    ['a boolean for a name', { name: true }, 'body.name'],
    ['a string for rpm', { name: uniqueSerial('t'), rpm: '1500' }, 'body.rpm'],
    ['an array for a name', { name: ['x'] }, 'body.name'],
  ])('POST /targets with %s: 400', async (_case, json, field) => {
    const res = await t.api.call('POST', '/api/v1/targets', { token: t.admin, json });
    expect(res.status).toBe(400);
    expect(res.error?.message).toContain(field);
  });

  it('a string for sampleFrequencyHz is refused, and no command is made', async () => {
    const serial = uniqueSerial('HOST');
    await createSensor(t.pool, serial);
    const res = await t.api.call('POST', `/api/v1/sensors/${serial}/commands`, {
      token: t.admin,
      json: { type: 'set_sample_frequency', sampleFrequencyHz: '500' },
    });
    expect(res.status).toBe(400);
    expect(res.error?.message).toContain('body.sampleFrequencyHz');
    const { rows } = await t.pool.query(
      `SELECT 1 FROM sensor_command c JOIN sensor s ON s.id = c.sensor_id
       WHERE s.serial_number = $1`,
      [serial],
    );
    expect(rows).toHaveLength(0);
  });
});

describe('unsafe characters in names are a 400, never a 500', () => {
  it.each(Object.entries(UNSAFE))('a target name with %s', async (_case, bad) => {
    const res = await t.api.call('POST', '/api/v1/targets', {
      token: t.admin,
      json: { name: `pump${bad}1` },
    });
    expect(res.status).toBe(400);
    expect(res.error?.message).toContain('body.name');
  });

  it.each(Object.entries(UNSAFE))('an API key name with %s', async (_case, bad) => {
    const res = await t.api.call('POST', '/api/v1/api-keys', {
      token: t.admin,
      json: { name: `ci${bad}`, role: 'viewer' },
    });
    expect(res.status).toBe(400);
    expect(res.error?.message).toContain('body.name');
  });

  it.each(Object.entries(UNSAFE))('a login username with %s', async (_case, bad) => {
    const res = await t.api.call('POST', '/api/v1/auth/login', {
      json: { username: `admin${bad}`, password: 'whatever-it-is' },
    });
    expect(res.status).toBe(400);
    expect(res.error?.message).toContain('body.username');
  });

  it.each(Object.entries(UNSAFE))('an assignment to a target named with %s', async (_c, bad) => {
    const serial = uniqueSerial('HOST');
    await createSensor(t.pool, serial);
    const res = await t.api.call('PUT', `/api/v1/sensors/${serial}/target`, {
      token: t.admin,
      json: { target: `t${bad}` },
    });
    expect(res.status).toBe(400);
  });

  it.each([
    ['DELETE', '/api/v1/targets/%00'],
    ['PATCH', '/api/v1/targets/a%00b'],
    ['DELETE', '/api/v1/targets/%E2%80%AEevil'],
    ['DELETE', '/api/v1/sensors/%00'],
    ['GET', '/api/v1/commands/%00'],
    ['DELETE', '/api/v1/api-keys/%00'],
  ] as const)('%s %s', async (method, path) => {
    const res = await t.api.call(method, path, {
      token: t.admin,
      ...(method === 'PATCH' ? { json: { rpm: 1500 } } : {}),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe('times a JavaScript Date cannot hold', () => {
  it.each([
    '/logs?since=2016-12-31T23:59:60Z',
    '/features?since=2016-12-31T23:59:60Z',
    '/features?until=2016-12-31T23:59:60%2B00:00',
  ])('GET /sensors/S%s: 400 naming the parameter', async (suffix) => {
    const serial = uniqueSerial('HOST');
    await createSensor(t.pool, serial);
    const res = await t.api.call('GET', `/api/v1/sensors/${serial}${suffix}`, { token: t.admin });
    expect(res.status).toBe(400);
    expect(res.error?.message).toMatch(/querystring\.(since|until)/);
  });
});
