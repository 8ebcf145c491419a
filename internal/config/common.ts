// The variables every service reads (docs/DESIGN.md "Configuration").
import { duration, oneOf, port, string, url } from './fields.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const logLevel = oneOf('IOT_LOG_LEVEL', LOG_LEVELS, { default: 'info' });
/** Health and metrics; 0 asks the OS for a free port (tests). */
export const httpPort = port('IOT_HTTP_PORT', { default: 8080 });
/**
 * The address health and metrics listen on: loopback, so a developer's machine serves
 * nothing to its network; containers set 0.0.0.0 (compose.yaml, k8s) for the scraper.
 */
export const httpHost = string('IOT_HTTP_HOST', { default: '127.0.0.1' });
/** The broker: one URL, or each node of a cluster, comma-separated (clients move between them). */
export const amqpUrl = url('IOT_AMQP_URL', ['amqp:', 'amqps:'], { list: true });
export const mqttUrl = url('IOT_MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ssl:'], { list: true });
export const databaseUrl = url('IOT_DATABASE_URL', ['postgres:', 'postgresql:']);
export const databaseOwnerUrl = url('IOT_DATABASE_OWNER_URL', ['postgres:', 'postgresql:']);
export const apiUrl = url('IOT_API_URL', ['https:', 'http:']);

/**
 * Both ingesters: how long a message from a serial the registry has not enrolled yet waits
 * (from the device's own timestamp) before it is dead-lettered. At least a second, since a
 * device's first batches and boot logs arrive around its registration; at most an hour, the
 * longest either ingester took before they shared one set of bounds.
 */
export const unknownSerialTimeout = duration(
  'IOT_INGEST_UNKNOWN_SERIAL_TIMEOUT',
  { minMs: 1_000, maxMs: 3_600_000 },
  { default: 60_000 },
);
