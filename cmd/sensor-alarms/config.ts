import {
  amqpUrl,
  databaseUrl,
  duration,
  httpHost,
  integer,
  loadConfig,
  logLevel,
  port,
  string,
  type Env,
} from '../../internal/config/index.js';

export function loadAlarmsConfig(env: Env) {
  return loadConfig(env, {
    amqpUrl,
    databaseUrl,
    logLevel,
    httpPort: port('IOT_HTTP_PORT', { default: 9105 }),
    httpHost,
    prefetch: integer('IOT_AMQP_PREFETCH', { min: 1, max: 65_535 }, { default: 64 }),
    poolSize: integer('IOT_DATABASE_POOL_SIZE', { min: 2, max: 100 }, { default: 4 }),
    /**
     * How often silence is judged (offline alarms, connectivity changes) and undelivered
     * actions picked up again. 10 s: a tenth of a minute against a ten-minute threshold.
     */
    sweepIntervalMs: duration(
      'IOT_ALARMS_SWEEP_INTERVAL',
      { minMs: 200, maxMs: 600_000 },
      { default: 10_000 },
    ),
    /** The CA machine controllers' certificates are signed by (the stack's). */
    tlsCaFile: string('IOT_TLS_CA_FILE'),
    /**
     * Each gRPC call's deadline. A controller answers on its LAN in milliseconds; 2 s covers a
     * busy PLC gateway and still tries five times within a quarter of a minute.
     */
    actionDeadlineMs: duration(
      'IOT_ALARMS_ACTION_DEADLINE',
      { minMs: 100, maxMs: 60_000 },
      { default: 2_000 },
    ),
    /** Attempts per action (the first and its retries), backing off 0.5 s, 1 s, 2 s, 4 s. */
    actionAttempts: integer('IOT_ALARMS_ACTION_ATTEMPTS', { min: 1, max: 20 }, { default: 5 }),
  });
}

export type AlarmsConfig = ReturnType<typeof loadAlarmsConfig>;
