// How long each queue may grow and what happens when it is full: one table, written into
// dependencies/rabbitmq/definitions.json as RabbitMQ policies (`npm run gen:definitions`).
// Policies, not queue arguments: a running broker takes a changed policy at once, whereas a
// changed queue argument is refused (PRECONDITION_FAILED) until the queue is deleted.
//
// The budget behind the numbers: the broker blocks every publisher when its disk has less
// than 1 GB free (rabbitmq.conf disk_free_limit) and quorum queues keep about 32 B of index
// per message in memory. A measurement batch is one second of one sensor, ~4 kB at 1 kHz
// (4 bytes a sample, internal/validation MAX_MESSAGE_BYTES).
import { DEAD_LETTER_QUEUE, QUEUES } from './names.js';

export type Overflow =
  /** Refuse new messages (publisher gets a nack, a device no PUBACK and keeps the data). */
  | 'reject-publish'
  /** Drop the oldest (dead-lettered with reason maxlen where the queue dead-letters). */
  | 'drop-head';

export interface QueueBound {
  /** A regular expression over queue names. */
  readonly pattern: string;
  readonly maxLength: number;
  readonly maxBytes: number;
  readonly overflow: Overflow;
  readonly why: string;
}

const MiB = 1024 * 1024;
const exactly = (queue: string) => `^${queue.replace(/\./g, '\\.')}$`;

/**
 * Queues whose messages are the only copy until stored: never drop, refuse instead, so the
 * device keeps what it could not hand over. 500,000 messages is ~16 MB of quorum index; for
 * measurements, 512 MiB is ~20 minutes of 100 sensors at 1 kHz with no consumer, and the
 * other stored queues' messages are small (a registration, a fix, a log line, an ack).
 */
const STORED_MAX_LENGTH = 500_000;
const MEASUREMENTS_MAX_BYTES = 512 * MiB;
const SMALL_STORED_MAX_BYTES = 64 * MiB;

/**
 * Copies for derived work (analytics, alarms): their data is stored elsewhere and can be
 * recomputed (iotctl features recompute), so a stopped analytics or alarms service must never
 * block storing raw data: the oldest are dropped. 256 MiB is ~10 minutes of 100 sensors.
 */
const DERIVED_MAX_LENGTH = 200_000;
const ANALYTICS_MAX_BYTES = 256 * MiB;
const FEATURES_MAX_BYTES = 64 * MiB;

/**
 * The dead-letter queue is a bounded history: the latest 100,000 (each names its reason and
 * origin; more than anyone reads before acting) within 256 MiB (a few hundred full batches).
 */
const DEAD_LETTER_MAX_LENGTH = 100_000;
const DEAD_LETTER_MAX_BYTES = 256 * MiB;

/**
 * A device's command queue (RabbitMQ 3.10's MQTT subscription queue): a sleeping device
 * needs its latest desired state, not thousands of commands; 1,000 and 1 MiB is far beyond
 * that, and a full queue refuses iot-api's publish, so the command is not lost silently.
 */
const DEVICE_COMMANDS_MAX_LENGTH = 1_000;
const DEVICE_COMMANDS_MAX_BYTES = 1 * MiB;

const stored = (queue: string, maxBytes: number): QueueBound => ({
  pattern: exactly(queue),
  maxLength: STORED_MAX_LENGTH,
  maxBytes,
  overflow: 'reject-publish',
  why: 'stored data: the only copy until written',
});

export const QUEUE_BOUNDS: readonly QueueBound[] = [
  stored(QUEUES.measurementsDbWriter, MEASUREMENTS_MAX_BYTES),
  stored(QUEUES.registry, SMALL_STORED_MAX_BYTES),
  stored(QUEUES.registryApi, SMALL_STORED_MAX_BYTES),
  stored(QUEUES.locationsDbWriter, SMALL_STORED_MAX_BYTES),
  stored(QUEUES.logs, SMALL_STORED_MAX_BYTES),
  stored(QUEUES.acksApi, SMALL_STORED_MAX_BYTES),
  {
    pattern: exactly(QUEUES.measurementsAnalytics),
    maxLength: DERIVED_MAX_LENGTH,
    maxBytes: ANALYTICS_MAX_BYTES,
    overflow: 'drop-head',
    why: 'derived copy: recomputable from stored data',
  },
  {
    pattern: exactly(QUEUES.featuresAlarms),
    maxLength: DERIVED_MAX_LENGTH,
    maxBytes: FEATURES_MAX_BYTES,
    overflow: 'drop-head',
    why: 'derived copy: recomputable from stored data',
  },
  {
    pattern: exactly(DEAD_LETTER_QUEUE),
    maxLength: DEAD_LETTER_MAX_LENGTH,
    maxBytes: DEAD_LETTER_MAX_BYTES,
    overflow: 'drop-head',
    why: 'bounded history of dead letters',
  },
  {
    pattern: '^mqtt-subscription-.+qos1$',
    maxLength: DEVICE_COMMANDS_MAX_LENGTH,
    maxBytes: DEVICE_COMMANDS_MAX_BYTES,
    overflow: 'reject-publish',
    why: "one device's commands",
  },
];

/** The policies in RabbitMQ's definitions.json format, one per bound. */
export function boundPolicies(vhost: string): Record<string, unknown>[] {
  return QUEUE_BOUNDS.map((bound) => ({
    vhost,
    name: `bounds ${bound.pattern.replace(/[\^$\\]/g, '')}`,
    pattern: bound.pattern,
    'apply-to': 'queues',
    // Above 0 so an operator's ad-hoc policy (priority 0) does not silently replace a bound.
    priority: 10,
    definition: {
      'max-length': bound.maxLength,
      'max-length-bytes': bound.maxBytes,
      overflow: bound.overflow,
    },
  }));
}
