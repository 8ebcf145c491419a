// The HTTP side of broker-auth: RabbitMQ posts a form (auth_http.http_method = post) and reads
// "allow" or "deny" from the body. Nothing is logged of a request but the refusals, without
// the password the login checks carry.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../internal/telemetry/index.js';
import { AUTH_PATHS, decide, type AuthPath } from './decision.js';

/** A form from RabbitMQ is a few hundred bytes; anything far larger is not RabbitMQ. */
const MAX_BODY_BYTES = 16 * 1024;

export interface AuthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startAuthServer(options: {
  port: number;
  host: string;
  logger: Logger;
  registry: Registry;
}): Promise<AuthServer> {
  const { logger } = options;
  const decisions = new Counter({
    name: 'iot_broker_auth_decisions_total',
    help: 'Answers to RabbitMQ by check and decision (deny with its reason)',
    labelNames: ['check', 'decision'],
    registers: [options.registry],
  });
  const server: Server = createServer((req, res) => {
    const answer = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    };
    const path = req.url?.split('?')[0] as AuthPath;
    if (!AUTH_PATHS.includes(path)) return answer(404, `no route ${req.url ?? ''}`);
    if (req.method !== 'POST') return answer(405, 'POST only');
    readForm(req).then(
      (fields) => {
        const decision = decide(path, fields);
        const check = path.slice('/auth/'.length);
        decisions.inc({ check, decision: decision.allow ? 'allow' : decision.reason });
        if (!decision.allow) {
          logger.warn(
            {
              username: fields.get('username'),
              clientId: fields.get('client_id'),
              ip: fields.get('ip'),
              reason: decision.reason,
            },
            'refused a device connection',
          );
        }
        answer(200, decision.allow ? 'allow' : 'deny');
      },
      (error: Error) => answer(400, error.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`form larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
