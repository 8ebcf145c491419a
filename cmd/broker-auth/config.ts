import {
  httpHost,
  httpPort,
  loadConfig,
  logLevel,
  port,
  string,
  type Env,
} from '../../internal/config/index.js';

export function loadBrokerAuthConfig(env: Env) {
  return loadConfig(env, {
    logLevel,
    httpPort,
    httpHost,
    /**
     * Where RabbitMQ's HTTP auth backend asks (rabbitmq.conf auth_http.*_path). Beside the
     * broker, on loopback: it sees passwords in the login checks, and nothing else needs it.
     */
    authPort: port('IOT_BROKER_AUTH_PORT', { default: 15680 }),
    authHost: string('IOT_BROKER_AUTH_HOST', { default: '127.0.0.1' }),
  });
}

export type BrokerAuthConfig = ReturnType<typeof loadBrokerAuthConfig>;
