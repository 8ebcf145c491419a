import {
  amqpUrl,
  databaseUrl,
  duration,
  integer,
  loadConfig,
  logLevel,
  mqttUrl,
  optional,
  port,
  string,
  url,
  type Env,
} from '../../internal/config/index.js';

export function loadApiConfig(env: Env) {
  return loadConfig(env, {
    amqpUrl,
    databaseUrl,
    logLevel,
    /** HTTPS: the API, and /healthz, /readyz, /metrics beside it. */
    port: port('IOT_API_PORT', { default: 8443 }),
    /** Loopback unless told: containers set 0.0.0.0 (compose.yaml, k8s). */
    host: string('IOT_API_HOST', { default: '127.0.0.1' }),
    tlsCertFile: string('IOT_TLS_CERT_FILE'),
    tlsKeyFile: string('IOT_TLS_KEY_FILE'),
    jwtSecret: string('IOT_JWT_SECRET'),
    /** Short: a stolen token is worth little, and `iotctl login` is one command away. */
    jwtTtlMs: duration('IOT_JWT_TTL', { minMs: 60_000, maxMs: 86_400_000 }, { default: 3_600_000 }),
    /** The first admin; created (or its password reset) at start-up. No default password. */
    adminUsername: string('IOT_ADMIN_USERNAME'),
    adminPassword: string('IOT_ADMIN_PASSWORD'),
    /** How long a command waits for its ack when the request does not say. */
    commandTtlMs: duration(
      'IOT_COMMAND_TTL',
      { minMs: 1_000, maxMs: 86_400_000 },
      { default: 300_000 },
    ),
    bodyLimitBytes: integer(
      'IOT_API_BODY_LIMIT',
      { min: 1024, max: 10_485_760 },
      { default: 65_536 },
    ),
    poolSize: integer('IOT_DATABASE_POOL_SIZE', { min: 2, max: 100 }, { default: 8 }),
    /** Device onboarding: broker users through RabbitMQ's management API (device-onboarding.ts). */
    managementUrl: url('IOT_RABBITMQ_MANAGEMENT_URL', ['http:', 'https:']),
    managementUsername: string('IOT_RABBITMQ_ADMIN_USERNAME'),
    managementPassword: string('IOT_RABBITMQ_ADMIN_PASSWORD'),
    /** Where devices connect, as `iotctl create sensor` prints it; unset, it prints none. */
    deviceMqttUrl: optional(mqttUrl),
    /** The CA devices trust for the broker's TLS certificate, printed with their credentials. */
    caFile: optional(string('IOT_TLS_CA_FILE')),
    /**
     * Live event streams (GET /events) one account may hold open at once per replica: a
     * watch per screen of one operator, not a connection leak that starves the others.
     */
    streamsPerAccount: integer(
      'IOT_API_STREAMS_PER_ACCOUNT',
      { min: 1, max: 1000 },
      { default: 8 },
    ),
  });
}

export type ApiConfig = ReturnType<typeof loadApiConfig>;
