import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter } from 'prom-client';
import { createMetricsRegistry, startHealthServer, type HealthServer } from './health-server.js';

// A real server on port 0, spoken to over real HTTP.
describe('health server', () => {
  let server: HealthServer;
  let brokerUp = true;
  let waitingFor: string | undefined;

  beforeAll(async () => {
    const registry = createMetricsRegistry('test-service');
    new Counter({ name: 'iot_test_things_total', help: 'things', registers: [registry] }).inc(3);
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      registry,
      checks: {
        broker: () => brokerUp,
        database: () => Promise.resolve(true),
        consumers: () =>
          waitingFor ? { ready: false, reason: `waiting for ${waitingFor}` } : { ready: true },
      },
    });
  });
  afterAll(() => server.close());

  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);

  it('answers /healthz', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('reports readiness per dependency', async () => {
    brokerUp = true;
    expect((await get('/readyz')).status).toBe(200);
    brokerUp = false;
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      ready: false,
      checks: { broker: false, database: true, consumers: true },
    });
  });

  it('says why a check is not ready', async () => {
    brokerUp = true;
    waitingFor = 'database';
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      ready: false,
      checks: { broker: true, database: true, consumers: false },
      reasons: { consumers: 'waiting for database' },
    });
    waitingFor = undefined;
    expect((await get('/readyz')).status).toBe(200);
  });

  it('serves Prometheus metrics with the service label', async () => {
    const text = await (await get('/metrics')).text();
    expect(text).toContain('iot_test_things_total{service="test-service"} 3');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
