// /healthz (alive), /readyz (broker and database answer), /metrics (Prometheus): no auth, so
// probes and scrapers need no token; they reveal nothing about sensors.
import type { AppDeps, RouteApp } from '../app.js';

export function registerOperationRoutes(app: RouteApp, deps: AppDeps): void {
  app.get('/healthz', { schema: { hide: true } }, (_request, reply) =>
    reply.send({ status: 'ok' }),
  );
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const checks = await deps.ready();
    const ready = Object.values(checks).every(Boolean);
    return reply.status(ready ? 200 : 503).send({ ready, checks });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );
}
