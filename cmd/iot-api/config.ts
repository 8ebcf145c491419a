import {
  amqpUrl,
  databaseUrl,
  duration,
  integer,
  loadConfig,
  logLevel,
  port,
  string,
  type Env,
} from '../../internal/config/index.js';

export function loadApiConfig(env: Env) {
  return loadConfig(env, {
    amqpUrl,
    databaseUrl,
    logLevel,
    /** HTTPS: the API, and /healthz, /readyz, /metrics beside it. */
    port: port('IOT_API_PORT', { default: 8443 }),
    host: string('IOT_API_HOST', { default: '0.0.0.0' }),
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
