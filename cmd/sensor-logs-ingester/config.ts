// The environment of sensor-logs-ingester → one frozen, typed, defaulted object.
import {
  amqpUrl,
  databaseUrl,
  duration,
  integer,
  loadConfig,
  logLevel,
  port,
  string,
  unknownSerialTimeout,
  type Env,
  httpHost,
} from '../../internal/config/index.js';

const spec = {
  amqpUrl,
  databaseUrl,
  logLevel,
  httpPort: port('IOT_HTTP_PORT', { default: 9103 }),
  httpHost,
  /** Where the daily `sensors-YYYY-MM-DD.log` files go (Alloy tails them into Loki). */
  sensorLogDir: string('IOT_SENSOR_LOG_DIR'),
  /** Rows gathered before one INSERT; a smaller batch goes out after flushIntervalMs. */
  batchRows: integer('IOT_LOGS_BATCH_ROWS', { min: 1, max: 10_000 }, { default: 500 }),
  flushIntervalMs: duration(
    'IOT_LOGS_FLUSH_INTERVAL',
    { minMs: 1, maxMs: 60_000 },
    { default: 200 },
  ),
  unknownSerialTimeoutMs: unknownSerialTimeout,
  /** Unacknowledged deliveries at once: at least one full batch, so batches can fill. */
  prefetch: integer('IOT_AMQP_PREFETCH', { min: 1, max: 65_535 }, { default: 500 }),
};

export type LogsIngesterConfig = ReturnType<typeof loadLogsIngesterConfig>;

export function loadLogsIngesterConfig(env: Env) {
  return loadConfig(env, spec);
}
