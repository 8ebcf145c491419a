// The environment this service reads, as one loadConfig spec. IOT_SIM_* give the fleet's
// defaults (flags override them, see cli.ts); the management variables are needed only for
// --provision.
import {
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
  type Field,
  type VariableName,
  httpHost,
} from '../../internal/config/index.js';
import { validateSampleFrequency } from '../../internal/validation/index.js';
import {
  MAX_BATCH_INTERVAL_MS,
  MAX_BUFFER_BATCHES,
  MAX_SENSORS,
  MIN_BATCH_INTERVAL_MS,
} from './cli.js';

/** Health and metrics; 0 (the OS picks) only when asked for, since scrapers need a known port. */
export const DEFAULT_HTTP_PORT = 9101;

function frequencyHz(variable: VariableName, defaultHz: number): Field<number> {
  return {
    variable,
    read(raw) {
      if (raw === undefined) return defaultHz;
      if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new Error(`"${raw}" is not a number of Hz`);
      return validateSampleFrequency(Number(raw), 'frequency');
    },
  };
}

function serialPrefix(variable: VariableName, defaultPrefix: string): Field<string> {
  return {
    variable,
    read(raw) {
      if (raw === undefined) return defaultPrefix;
      if (!/^[A-Za-z0-9-]{1,26}$/.test(raw) || !/[A-Za-z]/.test(raw)) {
        throw new Error(`"${raw}" is not 1-26 of A-Z a-z 0-9 - with at least one letter`);
      }
      return raw;
    },
  };
}

export const simulationConfig = {
  logLevel,
  mqttUrl,
  /** The CA that signed the broker's certificate: devices connect over TLS (mqtts://). */
  caFile: optional(string('IOT_TLS_CA_FILE')),
  deviceSecret: string('IOT_DEVICE_SECRET'),
  httpPort: port('IOT_HTTP_PORT', { default: DEFAULT_HTTP_PORT }),
  httpHost,
  sensors: integer('IOT_SIM_SENSORS', { min: 1, max: MAX_SENSORS }, { default: 3 }),
  frequencyHz: frequencyHz('IOT_SIM_FREQUENCY_HZ', 1000),
  serialPrefix: serialPrefix('IOT_SIM_SERIAL_PREFIX', 'SIM'),
  batchIntervalMs: duration(
    'IOT_SIM_BATCH_INTERVAL',
    { minMs: MIN_BATCH_INTERVAL_MS, maxMs: MAX_BATCH_INTERVAL_MS },
    { default: 1000 },
  ),
  bufferBatches: integer(
    'IOT_SIM_BUFFER_BATCHES',
    { min: 1, max: MAX_BUFFER_BATCHES },
    { default: 600 },
  ),
  managementUrl: optional(url('IOT_RABBITMQ_MANAGEMENT_URL', ['http:', 'https:'])),
  adminUsername: optional(string('IOT_RABBITMQ_ADMIN_USERNAME')),
  adminPassword: optional(string('IOT_RABBITMQ_ADMIN_PASSWORD')),
};

export type SimulationConfig = ReturnType<typeof loadSimulationConfig>;

export function loadSimulationConfig(env: Env) {
  return loadConfig(env, simulationConfig);
}
