// dependencies/tls/make-certs.sh, the one maker of iot-api's TLS material (utils/stack.sh up,
// compose's iot-api-tls, k8s/README.md), run against temporary directories: what it makes,
// that a second run keeps it, and which changes make it issue a new certificate.
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../dependencies/tls/make-certs.sh', import.meta.url));
const SANS = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1', 'DNS:iot-api'];
const DAY_MS = 86_400_000;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'make-certs-'));
  dirs.push(dir);
  return dir;
}

async function makeCerts(dir: string, sans: string[] = SANS): Promise<string> {
  const { stderr } = await run(script, [dir, ...sans]);
  return stderr;
}

/** Runs openssl with space-separated arguments (no spaces inside one) and `-out out`. */
async function openssl(args: string, out: string): Promise<void> {
  await run('openssl', [...args.split(' '), '-out', out]);
}

const cert = (dir: string, file: string) => new X509Certificate(readFileSync(path.join(dir, file)));
const fingerprints = (dir: string) => ({
  ca: cert(dir, 'ca.pem').fingerprint256,
  server: cert(dir, 'server.pem').fingerprint256,
});
const validDays = (x: X509Certificate) =>
  (Date.parse(x.validTo) - Date.parse(x.validFrom)) / DAY_MS;

describe('dependencies/tls/make-certs.sh', () => {
  it('is executable', () => {
    expect(() => accessSync(script, constants.X_OK)).not.toThrow();
  });

  it('makes a CA and a server certificate for exactly the SANs, signed by it', async () => {
    const dir = tempDir();
    await makeCerts(dir);
    const ca = cert(dir, 'ca.pem');
    const server = cert(dir, 'server.pem');

    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.issuer).toBe(ca.subject);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:iot-api',
    );
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // extendedKeyUsage serverAuth
    expect(validDays(server)).toBe(825);
    expect(validDays(ca)).toBeGreaterThan(825);

    const key = createPrivateKey(readFileSync(path.join(dir, 'server-key.pem')));
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(server.checkPrivateKey(key)).toBe(true);
    expect(ca.checkPrivateKey(createPrivateKey(readFileSync(path.join(dir, 'ca-key.pem'))))).toBe(
      true,
    );
    for (const file of ['ca-key.pem', 'server-key.pem']) {
      expect(statSync(path.join(dir, file)).mode & 0o777, file).toBe(0o600);
    }
  });

  it('keeps both on a second run, quietly', async () => {
    const dir = tempDir();
    await makeCerts(dir);
    const before = fingerprints(dir);
    expect(await makeCerts(dir)).toBe('');
    expect(fingerprints(dir)).toEqual(before);
  });

  it('issues a new server certificate when one expires within 30 days, keeping the CA', async () => {
    const dir = tempDir();
    await makeCerts(dir);
    const before = fingerprints(dir);
    // The same CA and key, but ten days left.
    const file = (name: string) => path.join(dir, name);
    await writeFile(
      file('ext.cnf'),
      `subjectAltName = ${SANS.join(',')}\nextendedKeyUsage = serverAuth\n`,
    );
    await openssl(`req -new -key ${file('server-key.pem')} -subj /CN=localhost`, file('csr'));
    await openssl(
      `x509 -req -in ${file('csr')} -days 10 -CA ${file('ca.pem')} -CAkey ${file('ca-key.pem')}` +
        ` -extfile ${file('ext.cnf')}`,
      file('server.pem'),
    );
    expect(validDays(cert(dir, 'server.pem'))).toBe(10);

    expect(await makeCerts(dir)).toMatch(/creating the server certificate/);
    const after = fingerprints(dir);
    expect(after.ca).toBe(before.ca);
    expect(validDays(cert(dir, 'server.pem'))).toBe(825);
  });

  it('issues a new server certificate when a SAN is added', async () => {
    const dir = tempDir();
    await makeCerts(dir);
    const before = fingerprints(dir);
    await makeCerts(dir, [...SANS, 'DNS:iot.home.lan']);
    const after = fingerprints(dir);
    expect(after.ca).toBe(before.ca);
    expect(after.server).not.toBe(before.server);
    expect(cert(dir, 'server.pem').checkHost('iot.home.lan')).toBe('iot.home.lan');
  });

  it('makes a new CA, and a server certificate it signs, when the CA is gone', async () => {
    const dir = tempDir();
    await makeCerts(dir);
    const before = fingerprints(dir);
    rmSync(path.join(dir, 'ca-key.pem'));
    await makeCerts(dir);
    const after = fingerprints(dir);
    expect(after.ca).not.toBe(before.ca);
    expect(after.server).not.toBe(before.server);
    expect(cert(dir, 'server.pem').verify(cert(dir, 'ca.pem').publicKey)).toBe(true);
  });

  it('issues a new server certificate when its key is not the one beside it', async () => {
    const dir = tempDir();
    await makeCerts(dir);
    const before = fingerprints(dir);
    await openssl(
      'genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256',
      path.join(dir, 'server-key.pem'),
    );
    await makeCerts(dir);
    const server = cert(dir, 'server.pem');
    expect(server.fingerprint256).not.toBe(before.server);
    expect(
      server.checkPrivateKey(createPrivateKey(readFileSync(path.join(dir, 'server-key.pem')))),
    ).toBe(true);
  });

  it.each([[[]], [['localhost']], [['DNS:bad name']], [['IP:']]])(
    'refuses SANs %j',
    async (sans) => {
      const dir = tempDir();
      await expect(makeCerts(dir, sans)).rejects.toThrow(/usage|not a SAN/);
    },
  );
});
