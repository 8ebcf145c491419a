import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { OpenStreams } from './open-streams.js';

/** A real HTTP server whose handler hands each response to `onResponse`. */
async function serve(onResponse: (res: ServerResponse) => void) {
  const server = createServer((_req, res) => onResponse(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const open = async () => {
    const request = get({ host: '127.0.0.1', port, path: '/' });
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    return response;
  };
  return { server, open };
}

describe('OpenStreams', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  it('ends every open stream on close, so closing the server does not wait for clients', async () => {
    const streams = new OpenStreams();
    const { server, open } = await serve((res) => {
      streams.track(res);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': streaming\n\n');
    });
    close = () => server.close();
    const responses = await Promise.all([open(), open()]);
    const ended = responses.map((r) => (r.resume(), once(r, 'end')));
    streams.endAll();
    await Promise.all(ended);
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    await closed;
  });

  it('refuses a stream that starts once closing began (a handler still reading) with a 503', async () => {
    const streams = new OpenStreams();
    streams.endAll();
    const { server, open } = await serve((res) => {
      try {
        streams.track(res);
        res.end('tracked');
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).code).toBe('unavailable');
        res.writeHead(503).end();
      }
    });
    close = () => server.close();
    expect((await open()).statusCode).toBe(503);
  });
});
