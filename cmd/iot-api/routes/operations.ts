// /healthz (alive), /readyz (broker and database answer, consumers not waiting for either), /metrics (Prometheus): no auth, so
// probes and scrapers need no token; they reveal nothing about sensors.
import { readiness } from '../../../internal/telemetry/index.js';
import type { AppDeps, RouteApp } from '../app.js';

export function registerOperationRoutes(app: RouteApp, deps: AppDeps): void {
  app.get('/healthz', { schema: { hide: true } }, (_request, reply) =>
    reply.send({ status: 'ok' }),
  );
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const result = await readiness(deps.readiness);
    return reply.status(result.ready ? 200 : 503).send(result);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );
}
