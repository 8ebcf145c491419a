// The environment of sensor-registry → one frozen, typed, defaulted object.
import {
  amqpUrl,
  databaseUrl,
  loadConfig,
  logLevel,
  port,
  type Env,
  httpHost,
} from '../../internal/config/index.js';

export function loadRegistryConfig(env: Env) {
  return loadConfig(env, {
    amqpUrl,
    databaseUrl,
    logLevel,
    httpPort: port('IOT_HTTP_PORT', { default: 9104 }),
    httpHost,
  });
}

export type RegistryConfig = ReturnType<typeof loadRegistryConfig>;
