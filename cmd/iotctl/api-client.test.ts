// The HTTP plumbing against a real HTTPS server on port 0 with a throwaway CA (made with
// openssl, as dependencies/tls/make-certs.sh makes the stack's): TLS trust through the
// context's CA, error mapping, and the SSE reader over a stream cut at awkward places.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../utils/free-port.js';
import { HttpApiClient } from './api-client.js';
import { ApiResponseError, NetworkError } from './errors.js';
import type { SseEvent } from './sse.js';

let server: Server;
let api: string;
let ca: string;
let lastRequest: {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
};
let streamClosed: Promise<void>;

function makeCerts(): { ca: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'iotctl-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=iotctl test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ec, '-keyout', 'key.pem', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.pem'), cert: read('server.pem'), key: read('key.pem') };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function handle(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  lastRequest = { method: req.method, url: req.url, headers: req.headers, body };
  const url = new URL(req.url ?? '/', 'https://x');
  switch (`${req.method} ${url.pathname}`) {
    case 'GET /api/v1/sensors':
      if (req.headers.authorization !== 'Bearer good') {
        return json(res, 401, { error: { code: 'unauthenticated', message: 'token expired' } });
      }
      return json(res, 200, { items: [{ serial: 'AAD-1123' }] });
    case 'POST /api/v1/targets':
      return json(res, 409, {
        error: { code: 'conflict', message: 'a target named "press"\nexists' },
      });
    case 'DELETE /api/v1/targets/press':
      res.writeHead(204).end();
      return;
    case 'GET /api/v1/broken':
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
      return;
    case 'GET /api/v1/not-json':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
      return;
    case 'GET /api/v1/commands/c1/events': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Cut mid-field, mid-JSON and between the CR and LF of one line ending.
      const stream =
        ': hello\n\n' +
        `event: command\ndata: {"id":"c1","status":"sent"}\n\n` +
        ': heartbeat\n\n' +
        `event: command\r\ndata: {"id":"c1","status":"applied"}\r\n\r\n`;
      for (const piece of [
        stream.slice(0, 20),
        stream.slice(20, 47),
        stream.slice(47, 130),
        stream.slice(130),
      ]) {
        res.write(piece);
        await sleep(5);
      }
      res.end();
      return;
    }
    case 'GET /api/v1/commands/forever/events':
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: command\ndata: {"id":"forever","status":"sent"}\n\n`);
      streamClosed = new Promise((resolve) => res.on('close', resolve));
      return; // never ends by itself
    default:
      return json(res, 404, { error: { code: 'not_found', message: `${url.pathname} not found` } });
  }
}

beforeAll(async () => {
  const certs = makeCerts();
  ca = certs.ca;
  server = createServer({ cert: certs.cert, key: certs.key }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `https://localhost:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function withClient<T>(
  options: Partial<ConstructorParameters<typeof HttpApiClient>[0]>,
  fn: (client: HttpApiClient) => Promise<T>,
): Promise<T> {
  const client = new HttpApiClient({ api, ca, token: 'good', ...options });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

async function collect(events: AsyncGenerator<SseEvent>): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('HttpApiClient over TLS', () => {
  it('trusts the server through the context CA and sends the token', async () => {
    const body = await withClient({ userAgent: 'iotctl/test' }, (c) =>
      c.get('/sensors', { query: { limit: 5, all: undefined } }),
    );
    expect(body).toEqual({ items: [{ serial: 'AAD-1123' }] });
    expect(lastRequest.url).toBe('/api/v1/sensors?limit=5');
    expect(lastRequest.headers).toMatchObject({
      authorization: 'Bearer good',
      accept: 'application/json',
      'user-agent': 'iotctl/test',
    });
  });

  it('refuses a server its CA did not sign, with the fix in the message', async () => {
    const error = await withClient({ ca: undefined }, (c) => c.get('/sensors')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(
      /^TLS: https:\/\/localhost:\d+ has a certificate this context does not trust \(\w+\); set the API's CA/,
    );
  });

  it('sends JSON bodies and maps the API error to its one-line message', async () => {
    const error = await withClient({}, (c) => c.post('/targets', { name: 'press' })).catch(
      (e: unknown) => e,
    );
    expect(lastRequest).toMatchObject({ method: 'POST', body: '{"name":"press"}' });
    expect(lastRequest.headers['content-type']).toBe('application/json');
    expect(error).toBeInstanceOf(ApiResponseError);
    expect(error).toMatchObject({
      status: 409,
      apiCode: 'conflict',
      message: 'a target named "press" exists',
    });
  });

  it('adds the login hint to a 401', async () => {
    const error = await withClient(
      { token: 'stale', unauthenticatedHint: "run 'iotctl login'" },
      (c) => c.get('/sensors'),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, message: "token expired; run 'iotctl login'" });
  });

  it('treats 204 as no body', async () => {
    await expect(withClient({}, (c) => c.delete('/targets/press'))).resolves.toBeUndefined();
  });

  it.each([
    [
      'an error page that is not the API’s',
      '/broken',
      /^https:\/\/localhost:\d+ answered HTTP 502$/,
    ],
    [
      'a 200 that is not JSON',
      '/not-json',
      /answered GET \/not-json with something that is not JSON/,
    ],
  ])('%s', async (_name, path, message) => {
    await expect(withClient({}, (c) => c.get(path))).rejects.toThrow(message);
  });

  it('says the connection was refused when nothing listens', async () => {
    const port = await freePort();
    const client = new HttpApiClient({ api: `https://127.0.0.1:${port}`, ca });
    await expect(client.get('/sensors')).rejects.toThrow(
      `cannot reach https://127.0.0.1:${port}: connection refused (is the API running?)`,
    );
    await client.close();
  });
});

describe('HttpApiClient.events', () => {
  it('reads every event of a stream that arrives in awkward pieces', async () => {
    const events = await withClient({}, (c) => collect(c.events('/commands/c1/events')));
    expect(lastRequest.headers.accept).toBe('text/event-stream');
    expect(events.map((e) => [e.type, JSON.parse(e.data) as unknown])).toEqual([
      ['command', { id: 'c1', status: 'sent' }],
      ['command', { id: 'c1', status: 'applied' }],
    ]);
  });

  it('closes the stream when the reader stops early', async () => {
    await withClient({}, async (c) => {
      for await (const event of c.events('/commands/forever/events')) {
        expect(event.type).toBe('command');
        break;
      }
      await streamClosed;
    });
  });

  it('an abort ends a quiet stream with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('--timeout');
    const seen: string[] = [];
    const error = await withClient({}, async (c) => {
      for await (const event of c.events('/commands/forever/events', {
        signal: controller.signal,
      })) {
        seen.push(event.data);
        controller.abort(reason);
      }
    }).catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(error).toBe(reason);
    await streamClosed;
  });

  it('an error status is the API error, not a stream', async () => {
    await expect(withClient({}, (c) => collect(c.events('/commands/nope/events')))).rejects.toThrow(
      '/api/v1/commands/nope/events not found',
    );
  });
});
