// iot-api: the HTTPS API operators and iotctl use, the consumer of command acks and sensor
// announcements. Wiring only: config, logger, TLS files, signals.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../internal/config/index.js';
import { createLogger } from '../../internal/telemetry/index.js';
import { loadApiConfig } from './config.js';
import { SERVICE, startApiService } from './service.js';

let config;
let tls;
try {
  config = loadApiConfig(process.env);
  tls = { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) };
} catch (error) {
  if (!(error instanceof ConfigError) && !isFileError(error)) throw error;
  process.stderr.write(`${SERVICE}: ${(error as Error).message}\n`);
  process.exit(2);
}

const logger = createLogger(SERVICE, config.logLevel);
const service = await startApiService({ ...config, https: tls }, logger);
logger.info({ port: service.port }, 'serving HTTPS');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  });
}

function isFileError(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === 'string' && 'path' in (error as object);
}
