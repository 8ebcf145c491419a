import {
  amqpUrl,
  databaseUrl,
  duration,
  integer,
  loadConfig,
  logLevel,
  port,
  unknownSerialTimeout,
  type Env,
  httpHost,
} from '../../internal/config/index.js';

export function loadMeasurementsIngesterConfig(env: Env) {
  return loadConfig(env, {
    amqpUrl,
    databaseUrl,
    logLevel,
    httpPort: port('IOT_HTTP_PORT', { default: 9102 }),
    httpHost,
    /** Unacked messages per queue; must exceed one group's batches, or groups starve. */
    prefetch: integer('IOT_AMQP_PREFETCH', { min: 1, max: 65_535 }, { default: 2_000 }),
    poolSize: integer('IOT_DATABASE_POOL_SIZE', { min: 1, max: 100 }, { default: 4 }),
    /** Samples gathered into one transaction before it is cut. */
    batchRows: integer('IOT_INGEST_BATCH_ROWS', { min: 1, max: 1_000_000 }, { default: 50_000 }),
    /** ...or this long after the first batch of a group arrived. */
    flushIntervalMs: duration(
      'IOT_INGEST_FLUSH_INTERVAL',
      { minMs: 1, maxMs: 10_000 },
      { default: 20 },
    ),
    unknownSerialTimeoutMs: unknownSerialTimeout,
    /** Raw blocks older than this are deleted (TimescaleDB: its retention policy does it). */
    rawRetentionMs: duration(
      'IOT_RAW_RETENTION',
      { minMs: 60_000, maxMs: 3_650 * 86_400_000 },
      { default: 7 * 86_400_000 },
    ),
    lastSeenIntervalMs: duration(
      'IOT_INGEST_LAST_SEEN_INTERVAL',
      { minMs: 100, maxMs: 600_000 },
      { default: 1_000 },
    ),
  });
}

export type MeasurementsIngesterConfig = ReturnType<typeof loadMeasurementsIngesterConfig>;
