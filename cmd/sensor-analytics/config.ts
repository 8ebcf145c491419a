import {
  amqpUrl,
  databaseUrl,
  duration,
  integer,
  loadConfig,
  logLevel,
  optional,
  port,
  type Env,
  httpHost,
} from '../../internal/config/index.js';
import { DEFAULT_BASELINE_WINDOWS } from '../../internal/vibration/index.js';

/** The shortest window that may be configured: a second resolves 1 Hz, below any running speed. */
export const MIN_WINDOW_MS = 1_000;
/** The longest: ten minutes, the longest batch (internal/validation), at low rates only. */
export const MAX_WINDOW_MS = 600_000;

export function loadAnalyticsConfig(env: Env) {
  return loadConfig(env, {
    amqpUrl,
    databaseUrl,
    logLevel,
    httpPort: port('IOT_HTTP_PORT', { default: 9104 }),
    httpHost,
    /**
     * Unacked messages at once. Each sensor's batches are analysed one after another, so this
     * bounds how many sensors are in progress; more only queues work inside the process.
     */
    prefetch: integer('IOT_AMQP_PREFETCH', { min: 1, max: 65_535 }, { default: 64 }),
    poolSize: integer('IOT_DATABASE_POOL_SIZE', { min: 1, max: 100 }, { default: 4 }),
    /**
     * Window length. Unset: one window per batch (at least MIN_WINDOW_SAMPLES, batches are
     * joined below that). Set: consecutive batches are joined until the window is full.
     */
    windowMs: optional(
      duration('IOT_ANALYTICS_WINDOW', { minMs: MIN_WINDOW_MS, maxMs: MAX_WINDOW_MS }),
    ),
    /** Windows a new baseline learns from before anomaly scores start. */
    baselineWindows: integer(
      'IOT_ANALYTICS_BASELINE_WINDOWS',
      { min: 2, max: 1_000_000 },
      { default: DEFAULT_BASELINE_WINDOWS },
    ),
    /** How long a batch from a not-yet-enrolled serial waits before it is dead-lettered. */
    unknownSerialTimeoutMs: duration(
      'IOT_ANALYTICS_UNKNOWN_SERIAL_TIMEOUT',
      { minMs: 0, maxMs: 3_600_000 },
      { default: 60_000 },
    ),
  });
}

export type AnalyticsConfig = ReturnType<typeof loadAnalyticsConfig>;
