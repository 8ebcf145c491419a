// Prometheus view of the fleet, per sensor: the counters live on each SimulatedSensor and are
// read at scrape time (collect), so the measuring path never touches prom-client.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SimulatedSensor } from './device.js';
import type { CountField } from './sensor-counters.js';

/** Metric name → the sensor counter it exports. */
export const SENSOR_COUNTERS: Readonly<Record<string, [CountField, string]>> = {
  iot_sim_batches_measured_total: ['batchesMeasured', 'Measurement batches completed'],
  iot_sim_samples_measured_total: ['samplesMeasured', 'Samples measured'],
  iot_sim_batches_published_total: ['batchesPublished', 'Batches handed to MQTT'],
  iot_sim_samples_published_total: ['samplesPublished', 'Samples handed to MQTT'],
  iot_sim_batches_confirmed_total: [
    'batchesConfirmed',
    'Batches acknowledged by the broker (PUBACK)',
  ],
  iot_sim_samples_confirmed_total: [
    'samplesConfirmed',
    'Samples in batches the broker acknowledged',
  ],
  iot_sim_batches_dropped_total: [
    'batchesDropped',
    'Oldest unsent batches dropped from a full outbox',
  ],
  iot_sim_samples_dropped_total: ['samplesDropped', 'Samples in dropped batches'],
  iot_sim_locations_confirmed_total: [
    'locationsConfirmed',
    'Location fixes acknowledged by the broker',
  ],
  iot_sim_locations_dropped_total: [
    'locationsDropped',
    'Location fixes dropped from a full outbox',
  ],
  iot_sim_logs_confirmed_total: ['logsConfirmed', 'Log lines acknowledged by the broker'],
  iot_sim_logs_dropped_total: ['logsDropped', 'Log lines dropped from a full outbox'],
  iot_sim_commands_applied_total: ['commandsApplied', 'Commands applied (or scheduled)'],
  iot_sim_commands_rejected_total: ['commandsRejected', 'Commands rejected, with a reason'],
  iot_sim_commands_expired_total: ['commandsExpired', 'Commands received after their expiry'],
  iot_sim_acks_confirmed_total: ['acksConfirmed', 'Command acks acknowledged by the broker'],
};

export function registerSimulationMetrics(
  registry: Registry,
  sensors: () => readonly SimulatedSensor[],
): void {
  for (const [name, [field, help]] of Object.entries(SENSOR_COUNTERS)) {
    new Counter({
      name,
      help,
      labelNames: ['serial'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of sensors()) this.inc({ serial: s.serial }, s.counters[field]);
      },
    });
  }
  new Gauge({
    name: 'iot_sim_outbox_batches',
    help: 'Measurement batches waiting in the outbox',
    labelNames: ['serial'],
    registers: [registry],
    collect() {
      for (const s of sensors()) this.set({ serial: s.serial }, s.outboxBatches);
    },
  });
  new Gauge({
    name: 'iot_sim_connected',
    help: '1 while the sensor has a broker connection',
    labelNames: ['serial'],
    registers: [registry],
    collect() {
      for (const s of sensors()) this.set({ serial: s.serial }, s.connected ? 1 : 0);
    },
  });
}
