// broker-auth: RabbitMQ's second opinion on every login (see decision.ts). Runs beside each
// broker node; the broker's auth cache keeps a decision for a minute. Wiring only.
import { runService } from '../../internal/lifecycle/index.js';
import { createMetricsRegistry, startHealthServer } from '../../internal/telemetry/index.js';
import { loadBrokerAuthConfig } from './config.js';
import { startAuthServer } from './server.js';

const SERVICE = 'broker-auth';

process.exit(
  await runService(
    {
      name: SERVICE,
      loadConfig: loadBrokerAuthConfig,
      async start(config, logger) {
        const registry = createMetricsRegistry(SERVICE);
        const auth = await startAuthServer({
          port: config.authPort,
          host: config.authHost,
          logger,
          registry,
        });
        const health = await startHealthServer({
          port: config.httpPort,
          host: config.httpHost,
          registry,
        });
        logger.info({ authPort: auth.port, httpPort: health.port }, 'answering RabbitMQ');
        return {
          stopSteps: [
            { name: 'close auth server', run: () => auth.close() },
            { name: 'close health server', run: () => health.close() },
          ],
        };
      },
    },
    process,
  ),
);
