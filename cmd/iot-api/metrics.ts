import { Counter, Histogram, type Registry } from 'prom-client';

export function createApiMetrics(registry: Registry) {
  return {
    requests: new Histogram({
      name: 'iot_api_request_duration_seconds',
      help: 'HTTP requests by route, method and status code',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    commandsIssued: new Counter({
      name: 'iot_api_commands_issued_total',
      help: 'Commands recorded, by type (operators and re-issued desired state)',
      labelNames: ['type'],
      registers: [registry],
    }),
    commandsReissued: new Counter({
      name: 'iot_api_commands_reissued_total',
      help: 'Commands the platform issued itself to bring a sensor back to its desired state',
      labelNames: ['type'],
      registers: [registry],
    }),
    acks: new Counter({
      name: 'iot_api_command_acks_total',
      help: 'Acks from sensors, by outcome and whether they changed a command (late ones do not)',
      labelNames: ['outcome', 'effect'],
      registers: [registry],
    }),
    logins: new Counter({
      name: 'iot_api_logins_total',
      help: 'Password logins: success, failure (wrong credentials) or throttled (login-limiter.ts)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    commandsExpired: new Counter({
      name: 'iot_api_commands_expired_total',
      help: 'Commands the expiry sweep closed without an ack',
      registers: [registry],
    }),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
