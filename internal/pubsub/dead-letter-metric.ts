// iot_dead_letters_total{queue, cause}: what every consumer of a process parked in the
// dead-letter queue, by its source queue and a bounded cause (Outcome's `cause`; the reason
// itself is free text naming serials and values, unfit for a label). One counter a registry,
// shared by the consumers registered on it.
import { Counter, type Registry } from 'prom-client';

const NAME = 'iot_dead_letters_total';

export type DeadLetterCounter = Counter<'queue' | 'cause'>;

export function deadLetterCounter(registry: Registry): DeadLetterCounter {
  const existing = registry.getSingleMetric(NAME) as DeadLetterCounter | undefined;
  return (
    existing ??
    new Counter({
      name: NAME,
      help: 'Messages parked in the dead-letter queue, by source queue and cause',
      labelNames: ['queue', 'cause'],
      registers: [registry],
    })
  );
}
