// The small HTTP server every service runs beside its real work: /healthz (the process is
// alive), /readyz (its dependencies answer: broker connected, database reachable) and
// /metrics (Prometheus). Kept on node:http so a worker needs no web framework.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** The codes of the health server's `{"error": {code, message}}` answers. */
export type HealthErrorCode = 'METHOD_NOT_ALLOWED' | 'METRICS_FAILED' | 'NOT_FOUND';

/** A check's answer with the why (a consumer holding deliveries for the database). */
export interface ReadinessResult {
  readonly ready: boolean;
  readonly reason?: string;
}

/**
 * A named readiness check: true (or `{ready: true}`) when the dependency is usable; a throw
 * is "not ready" with the error's message as the reason.
 */
export type ReadinessCheck = () => boolean | ReadinessResult | Promise<boolean | ReadinessResult>;

export interface HealthServer {
  readonly port: number;
  readonly registry: Registry;
  close(): Promise<void>;
}

/** A registry with Node's default process metrics, prefixed for this service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Where services listen unless configured otherwise: nothing on the LAN by accident. */
const LOOPBACK = '127.0.0.1';

export async function startHealthServer(options: {
  port: number;
  registry: Registry;
  checks?: Record<string, ReadinessCheck>;
  /** Loopback unless told (IOT_HTTP_HOST): in a container, 0.0.0.0 for the scraper. */
  host?: string;
  /** More GET routes answering JSON, e.g. the machine-controller simulator's /actions. */
  routes?: Record<string, () => unknown>;
}): Promise<HealthServer> {
  const { registry, checks = {}, routes = {} } = options;
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const replyError = (status: number, code: HealthErrorCode, message: string) =>
      reply(status, { error: { code, message } });
    const route = req.url?.split('?')[0];
    if (req.method !== 'GET') return replyError(405, 'METHOD_NOT_ALLOWED', 'GET only');
    if (route === '/healthz') return reply(200, { status: 'ok' });
    if (route === '/readyz') {
      readiness(checks).then(
        (result) => reply(result.ready ? 200 : 503, result),
        (error: Error) => reply(503, { ready: false, error: error.message }),
      );
      return;
    }
    if (route === '/metrics') {
      registry.metrics().then(
        (text) => reply(200, text, registry.contentType),
        (error: Error) => replyError(500, 'METRICS_FAILED', error.message),
      );
      return;
    }
    const extra = route !== undefined && Object.hasOwn(routes, route) ? routes[route] : undefined;
    if (extra) return reply(200, extra());
    replyError(404, 'NOT_FOUND', `no route ${route ?? ''}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? LOOPBACK, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    registry,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Runs every check: `{ready, checks: {name: bool}, reasons?: {name: why}}` (for /readyz). */
export async function readiness(checks: Record<string, ReadinessCheck>) {
  const results: Record<string, boolean> = {};
  const reasons: Record<string, string> = {};
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const answer = await check();
        const result = typeof answer === 'boolean' ? { ready: answer } : answer;
        results[name] = result.ready;
        if (result.reason) reasons[name] = result.reason;
      } catch (error) {
        results[name] = false;
        reasons[name] = error instanceof Error ? error.message : String(error);
      }
    }),
  );
  return {
    ready: Object.values(results).every(Boolean),
    checks: results,
    ...(Object.keys(reasons).length > 0 ? { reasons } : {}),
  };
}
