// machine-controller: a simulated machine controller for the demo and the tests. Serves the
// MachineController gRPC service (internal/machine) over TLS, applies each action once per
// idempotency key, and lists what it received on its HTTP port (GET /actions). Wiring only.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { readConfigFile, type Env } from '../../internal/config/index.js';
import { runService } from '../../internal/lifecycle/index.js';
import { MACHINE_CONTROLLER_SERVICE } from '../../internal/machine/index.js';
import { createMetricsRegistry, startHealthServer } from '../../internal/telemetry/index.js';
import { loadControllerConfig } from './config.js';
import { MachineControllerSimulator } from './controller.js';

const SERVICE = 'machine-controller';

function loadConfigAndTls(env: Env) {
  const config = loadControllerConfig(env);
  return {
    ...config,
    cert: readConfigFile('IOT_TLS_CERT_FILE', config.tlsCertFile),
    key: readConfigFile('IOT_TLS_KEY_FILE', config.tlsKeyFile),
  };
}

process.exit(
  await runService(
    {
      name: SERVICE,
      loadConfig: loadConfigAndTls,
      async start(config, logger) {
        const simulator = new MachineControllerSimulator(config, logger);
        const server = new Server();
        server.addService(MACHINE_CONTROLLER_SERVICE, { applyAction: simulator.applyAction });
        const grpcPort = await new Promise<number>((resolve, reject) =>
          server.bindAsync(
            `${config.host}:${config.grpcPort}`,
            ServerCredentials.createSsl(null, [
              { cert_chain: config.cert, private_key: config.key },
            ]),
            (error, bound) => (error ? reject(error) : resolve(bound)),
          ),
        );
        const health = await startHealthServer({
          port: config.httpPort,
          host: config.httpHost,
          registry: createMetricsRegistry(SERVICE),
          routes: { '/actions': () => simulator.listing() },
        });
        logger.info({ grpcPort, httpPort: health.port }, 'serving MachineController (gRPC, TLS)');
        return {
          stopSteps: [
            {
              name: 'stop gRPC server',
              run: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
            },
            { name: 'close health server', run: () => health.close() },
          ],
        };
      },
    },
    process,
  ),
);
