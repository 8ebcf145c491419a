// Organizations made through the API by the platform administrator; the same username in two
// of them; login naming the organization; disabling an account; the cap on open event
// streams; and a second organization that sees nothing of the first through any endpoint.
import { request, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { createSensor, uniqueSerial } from '../../utils/test/database.js';
import { MAX_STREAMS_PER_ACCOUNT } from './stream-quota.js';
import { useAdminSession } from './test-support.js';

const t = useAdminSession();

const PASSWORD = 'a-long-enough-password';

async function newOrganization(adminName = 'boss') {
  const name = uniqueSerial('Org');
  const res = await t.api.call('POST', '/api/v1/organizations', {
    token: t.admin,
    json: { name, admin: { username: adminName, password: PASSWORD } },
  });
  expect(res.status).toBe(201);
  const login = await t.api.call('POST', '/api/v1/auth/login', {
    json: { organization: name, username: adminName, password: PASSWORD },
  });
  expect(login.status).toBe(200);
  return { name, token: (login.body as { token: string }).token };
}

describe('organizations', () => {
  it('the platform administrator creates one with its first admin, who can log in', async () => {
    const org = await newOrganization();
    const me = await t.api.call('GET', '/api/v1/me', { token: org.token });
    expect(me.body).toMatchObject({ username: 'boss', role: 'admin', organization: org.name });
    const list = await t.api.call('GET', '/api/v1/organizations', { token: t.admin });
    expect((list.body as { items: { name: string }[] }).items.map((o) => o.name)).toContain(
      org.name,
    );
  });

  it("an organization's own admin may not create or list organizations", async () => {
    const org = await newOrganization();
    const create = await t.api.call('POST', '/api/v1/organizations', {
      token: org.token,
      json: { name: uniqueSerial('Org'), admin: { username: 'x', password: PASSWORD } },
    });
    expect(create.status).toBe(403);
    expect((await t.api.call('GET', '/api/v1/organizations', { token: org.token })).status).toBe(
      403,
    );
  });

  it('a taken name is a 409; a name with a bidi override a 400', async () => {
    const org = await newOrganization();
    const again = await t.api.call('POST', '/api/v1/organizations', {
      token: t.admin,
      json: { name: org.name, admin: { username: 'other', password: PASSWORD } },
    });
    expect(again.status).toBe(409);
    const evil = await t.api.call('POST', '/api/v1/organizations', {
      token: t.admin,
      json: { name: 'acme\u202eevil', admin: { username: 'other', password: PASSWORD } },
    });
    expect(evil.status).toBe(400);
    expect(evil.error?.message).toContain('body.name');
  });

  it('usernames are unique per organization: the same name in two is no conflict', async () => {
    const first = await newOrganization('same-name');
    const second = await newOrganization('same-name');
    const a = await t.api.call('GET', '/api/v1/me', { token: first.token });
    const b = await t.api.call('GET', '/api/v1/me', { token: second.token });
    expect([a.body, b.body]).toMatchObject([
      { username: 'same-name', organization: first.name },
      { username: 'same-name', organization: second.name },
    ]);
    // Nor does an account in one organization tell the other anything (no 409).
    const created = await t.api.call('POST', '/api/v1/accounts', {
      token: first.token,
      json: { username: 'admin', password: PASSWORD, role: 'viewer' },
    });
    expect(created.status).toBe(201);
  });

  it('a login that names the wrong organization fails like a wrong password', async () => {
    const org = await newOrganization();
    const res = await t.api.call('POST', '/api/v1/auth/login', {
      json: { organization: 'default', username: 'boss', password: PASSWORD },
    });
    expect(res.status).toBe(401);
    expect(org.name).not.toBe('default');
  });
});

describe('a second organization sees nothing of the first', () => {
  it('through every list and every object of the first', async () => {
    const serial = uniqueSerial('TEN');
    await createSensor(t.pool, serial);
    const target = uniqueSerial('tgt');
    expect(
      (await t.api.call('POST', '/api/v1/targets', { token: t.admin, json: { name: target } }))
        .status,
    ).toBe(201);
    const command = await t.api.call('POST', `/api/v1/sensors/${serial}/commands`, {
      token: t.admin,
      json: { type: 'sleep' },
    });
    const commandId = (command.body as { id: string }).id;
    const { token } = await newOrganization();

    for (const path of ['/sensors', '/targets', '/alarms?all=true', '/accounts', '/api-keys']) {
      const res = await t.api.call('GET', `/api/v1${path}`, { token });
      expect(res.status, path).toBe(200);
      const text = JSON.stringify(res.body);
      expect(text, path).not.toContain(serial);
      expect(text, path).not.toContain(target);
      expect(text, path).not.toContain('"username":"admin"');
    }
    for (const [method, path, json] of [
      ['GET', `/sensors/${serial}`],
      ['GET', `/sensors/${serial}/logs`],
      ['GET', `/sensors/${serial}/features`],
      ['GET', `/sensors/${serial}/commands`],
      ['POST', `/sensors/${serial}/commands`, { type: 'awake' }],
      ['POST', `/sensors/${serial}/baseline/reset`],
      ['PUT', `/sensors/${serial}/target`, { target: null }],
      ['DELETE', `/sensors/${serial}`],
      ['GET', `/commands/${commandId}`],
      ['GET', `/commands/${commandId}/events`],
      ['PATCH', `/targets/${target}`, { rpm: 1500 }],
      ['DELETE', `/targets/${target}`],
      ['PATCH', '/accounts/admin', { disabled: true }],
    ] as const) {
      const res = await t.api.call(method, `/api/v1${path}`, { token, json });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    // And everything of the first is still there.
    expect((await t.api.call('GET', `/api/v1/sensors/${serial}`, { token: t.admin })).status).toBe(
      200,
    );
  });
});

describe('accounts', () => {
  it('a disabled account is refused at once, tokens and API keys alike; enabled, it works', async () => {
    const org = await newOrganization();
    await t.api.call('POST', '/api/v1/accounts', {
      token: org.token,
      json: { username: 'ops', password: PASSWORD, role: 'admin' },
    });
    const login = await t.api.call('POST', '/api/v1/auth/login', {
      json: { organization: org.name, username: 'ops', password: PASSWORD },
    });
    const opsToken = (login.body as { token: string }).token;
    const key = await t.api.call('POST', '/api/v1/api-keys', {
      token: opsToken,
      json: { name: 'ci', role: 'viewer' },
    });
    const apiKey = (key.body as { key: string }).key;

    const disabled = await t.api.call('PATCH', '/api/v1/accounts/ops', {
      token: org.token,
      json: { disabled: true },
    });
    expect(disabled.body).toMatchObject({ username: 'ops', disabled: true });
    expect((await t.api.call('GET', '/api/v1/me', { token: opsToken })).status).toBe(401);
    expect((await t.api.call('GET', '/api/v1/me', { token: apiKey })).status).toBe(401);
    const relogin = await t.api.call('POST', '/api/v1/auth/login', {
      json: { organization: org.name, username: 'ops', password: PASSWORD },
    });
    expect(relogin.status).toBe(401);

    await t.api.call('PATCH', '/api/v1/accounts/ops', {
      token: org.token,
      json: { disabled: false },
    });
    expect((await t.api.call('GET', '/api/v1/me', { token: opsToken })).status).toBe(200);
  });

  it('an admin cannot disable or demote their own account', async () => {
    const org = await newOrganization();
    const res = await t.api.call('PATCH', '/api/v1/accounts/boss', {
      token: org.token,
      json: { disabled: true },
    });
    expect(res.status).toBe(400);
    expect((await t.api.call('GET', '/api/v1/me', { token: org.token })).status).toBe(200);
  });

  it('a body that is not a change is a 400', async () => {
    for (const json of [{}, { disabled: 'true' }, { role: 'root' }, { disabled: true, x: 1 }]) {
      const res = await t.api.call('PATCH', '/api/v1/accounts/someone', { token: t.admin, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
  });
});

describe('event streams', () => {
  it(`one account holds at most ${MAX_STREAMS_PER_ACCOUNT} open; closing one frees a place`, async () => {
    const org = await newOrganization();
    const serial = uniqueSerial('SSE');
    await t.pool.query(
      `INSERT INTO sensor (serial_number, organization_id, sample_frequency)
       VALUES ($1, (SELECT id FROM organization WHERE name = $2), 1000)`,
      [serial, org.name],
    );
    const command = await t.api.call('POST', `/api/v1/sensors/${serial}/commands`, {
      token: org.token,
      json: { type: 'sleep' },
    });
    const path = `${t.api.baseUrl}/api/v1/commands/${(command.body as { id: string }).id}/events`;
    const open = (token: string) =>
      request(path, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        dispatcher: t.api.dispatcher,
      });
    const streams: Dispatcher.ResponseData[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_ACCOUNT; i++) streams.push(await open(org.token));
    expect(streams.map((s) => s.statusCode).every((s) => s === 200)).toBe(true);

    const refused = await open(org.token);
    expect(refused.statusCode).toBe(429);
    await refused.body.text();

    const first = streams.shift()!;
    first.body.destroy();
    let again: Dispatcher.ResponseData | undefined;
    // The server learns of the close when the socket's close event arrives.
    for (let i = 0; i < 50 && again?.statusCode !== 200; i++) {
      if (again) await again.body.text();
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await open(org.token);
    }
    expect(again?.statusCode).toBe(200);
    for (const stream of [...streams, again!]) stream.body.destroy();
  });
});
