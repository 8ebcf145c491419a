// What sensor-alarms counts, for /metrics.
import { Counter, type Registry } from 'prom-client';

export function alarmsMetrics(registry: Registry) {
  const registers = [registry];
  return {
    windows: new Counter({
      name: 'iot_alarms_windows_total',
      help: 'Feature windows evaluated against the rules',
      registers,
    }),
    duplicates: new Counter({
      name: 'iot_alarms_duplicate_windows_total',
      help: 'Feature windows skipped: at or before the last one taken in (redelivered, or late)',
      registers,
    }),
    steps: new Counter({
      name: 'iot_alarms_steps_total',
      help: 'Alarm rows raised, updated by a second raise, or cleared',
      labelNames: ['step'],
      registers,
    }),
    settled: new Counter({
      name: 'iot_alarms_messages_total',
      help: 'Messages settled, by outcome (ack, dead-letter, requeue)',
      labelNames: ['outcome'],
      registers,
    }),
    actions: new Counter({
      name: 'iot_alarms_actions_total',
      help: 'Machine actions finished, by outcome (delivered, failed)',
      labelNames: ['outcome'],
      registers,
    }),
    actionAttempts: new Counter({
      name: 'iot_alarms_action_attempts_total',
      help: 'gRPC calls to machine controllers, retries included',
      registers,
    }),
  };
}

export type AlarmsMetrics = ReturnType<typeof alarmsMetrics>;
