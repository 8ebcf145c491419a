// iot-api: the HTTPS API operators and iotctl use, the consumer of command acks and sensor
// announcements. Wiring only: config, logger, TLS files; runService does the signals.
import { readConfigFile, type Env } from '../../internal/config/index.js';
import { runService } from '../../internal/lifecycle/index.js';
import { loadApiConfig } from './config.js';
import { SERVICE, startApiService } from './service.js';

/** The config, and the certificate and key it names: an unreadable file is a config error. */
function loadConfigAndTls(env: Env) {
  const config = loadApiConfig(env);
  const https = {
    cert: readConfigFile('IOT_TLS_CERT_FILE', config.tlsCertFile),
    key: readConfigFile('IOT_TLS_KEY_FILE', config.tlsKeyFile),
  };
  const caPem = config.caFile && readConfigFile('IOT_TLS_CA_FILE', config.caFile).toString('utf8');
  return { ...config, https, caPem };
}

process.exit(
  await runService(
    {
      name: SERVICE,
      loadConfig: loadConfigAndTls,
      async start(config, logger) {
        const service = await startApiService(config, logger);
        logger.info({ port: service.port }, 'serving HTTPS');
        return { stopSteps: service.stopSteps };
      },
    },
    process,
  ),
);
