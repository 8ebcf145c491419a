// What `utils/stack.sh up` gives iot-api and its clients: the API's port and URL in
// `.stack/env`, and in `.stack/tls` a private CA and a server certificate that a TLS client
// trusting only that CA accepts for localhost, 127.0.0.1 and ::1 (and iot-api, the compose
// name), with private keys and a second `up` that keeps them.
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { request, createServer, type Server } from 'node:https';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeStackDir, repoRoot, stackEnv } from './test/stack-env.js';

const run = promisify(execFile);
const stackScript = path.join(repoRoot, 'utils/stack.sh');
const tlsDir = path.join(activeStackDir(), 'tls');
const DAY_MS = 86_400_000;

function required(env: Record<string, string>, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`.stack/env has no ${name}`);
  return value;
}

const pem = (file: string) => readFileSync(file);
const cert = (file: string) => new X509Certificate(pem(file));

describe('utils/stack.sh up: iot-api and TLS', () => {
  let env: Record<string, string> = {};
  beforeAll(async () => {
    await run(stackScript, ['up'], { cwd: repoRoot });
    env = stackEnv();
  });

  it('writes the API port (base + 8) and URL, and the TLS files, to .stack/env', () => {
    const port = Number(required(env, 'IOT_STACK_BASE_PORT')) + 8;
    expect(required(env, 'IOT_API_PORT')).toBe(String(port));
    expect(required(env, 'IOT_API_URL')).toBe(`https://localhost:${port}`);
    expect(required(env, 'IOT_TLS_CERT_FILE')).toBe(path.join(tlsDir, 'server.pem'));
    expect(required(env, 'IOT_TLS_KEY_FILE')).toBe(path.join(tlsDir, 'server-key.pem'));
    expect(required(env, 'IOT_TLS_CA_FILE')).toBe(path.join(tlsDir, 'ca.pem'));
    // The API's own secrets are there too (generated once, like the others).
    expect(required(env, 'IOT_ADMIN_USERNAME')).toBe('admin');
    expect(required(env, 'IOT_ADMIN_PASSWORD')).toMatch(/^[0-9a-f]{48}$/);
    expect(required(env, 'IOT_JWT_SECRET')).toMatch(/^[0-9a-f]{48}$/);
    // No clash with the other ports of the stack.
    const others = ['IOT_HTTP_PORT', 'IOT_POSTGRES_PORT', 'IOT_RABBITMQ_EPMD_PORT'].map((name) =>
      required(env, name),
    );
    expect(others).not.toContain(String(port));
  });

  it('signs a server certificate for localhost, 127.0.0.1, ::1 and iot-api with the CA', () => {
    const ca = cert(required(env, 'IOT_TLS_CA_FILE'));
    const server = cert(required(env, 'IOT_TLS_CERT_FILE'));
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkHost('iot-api')).toBe('iot-api');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(server.checkHost('example.com')).toBeUndefined();
    expect(server.checkIP('10.0.0.1')).toBeUndefined();
    expect(server.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:iot-api',
    );
    const key = createPrivateKey(pem(required(env, 'IOT_TLS_KEY_FILE')));
    expect(server.checkPrivateKey(key)).toBe(true);
    // Valid now, for at least the 30 days before `up` would renew it, and no more than 825.
    const now = Date.now();
    expect(Date.parse(server.validFrom)).toBeLessThanOrEqual(now);
    expect(Date.parse(server.validTo)).toBeGreaterThan(now + 30 * DAY_MS);
    expect(Date.parse(server.validTo) - Date.parse(server.validFrom)).toBeLessThanOrEqual(
      825 * DAY_MS,
    );
    expect(Date.parse(ca.validTo)).toBeGreaterThan(Date.parse(server.validTo));
  });

  it('keeps the private keys private', () => {
    for (const file of ['ca-key.pem', 'server-key.pem']) {
      expect(statSync(path.join(tlsDir, file)).mode & 0o777, file).toBe(0o600);
    }
  });

  it('keeps the CA and the certificate on the next `up`', async () => {
    const fingerprints = () =>
      ['ca.pem', 'server.pem'].map((file) => cert(path.join(tlsDir, file)).fingerprint256);
    const before = fingerprints();
    await run(stackScript, ['up'], { cwd: repoRoot });
    expect(fingerprints()).toEqual(before);
    expect(stackEnv()).toEqual(env);
  });

  it('names the API URL in `status`', async () => {
    const { stdout } = await run(stackScript, ['status'], { cwd: repoRoot });
    expect(stdout).toMatch(
      new RegExp(
        `^api\\s+(up|down)\\s+${required(env, 'IOT_API_URL').replaceAll('.', '\\.')}\\b`,
        'm',
      ),
    );
  });

  describe('a TLS client that trusts only the CA', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer(
        {
          cert: pem(required(env, 'IOT_TLS_CERT_FILE')),
          key: pem(required(env, 'IOT_TLS_KEY_FILE')),
        },
        (_req, res) => res.end('ok'),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    /** GET / on our server, as `servername` (the name the client verifies); rejects on error. */
    function get(servername: string | undefined, ca: Buffer | undefined): Promise<string> {
      return new Promise((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/', ca, servername, agent: false },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve(body));
          },
        );
        req.on('error', reject);
        req.end();
      });
    }

    it.each([['localhost'], ['iot-api'], [undefined]])(
      'accepts the server as %s (undefined: as 127.0.0.1)',
      async (servername) => {
        await expect(get(servername, pem(required(env, 'IOT_TLS_CA_FILE')))).resolves.toBe('ok');
      },
    );

    it('refuses it under another name, or without the CA', async () => {
      const ca = pem(required(env, 'IOT_TLS_CA_FILE'));
      await expect(get('example.com', ca)).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
      const untrusted = (await get('localhost', undefined).catch((error: unknown) => error)) as {
        code?: string;
      };
      expect(untrusted.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/);
    });
  });
});
