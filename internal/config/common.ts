// The variables every service reads (docs/DESIGN.md "Configuration").
import { oneOf, port, url } from './fields.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const logLevel = oneOf('IOT_LOG_LEVEL', LOG_LEVELS, { default: 'info' });
/** Health and metrics; 0 asks the OS for a free port (tests). */
export const httpPort = port('IOT_HTTP_PORT', { default: 8080 });
export const amqpUrl = url('IOT_AMQP_URL', ['amqp:', 'amqps:']);
export const mqttUrl = url('IOT_MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ssl:']);
export const databaseUrl = url('IOT_DATABASE_URL', ['postgres:', 'postgresql:']);
export const databaseOwnerUrl = url('IOT_DATABASE_OWNER_URL', ['postgres:', 'postgresql:']);
export const apiUrl = url('IOT_API_URL', ['https:', 'http:']);
