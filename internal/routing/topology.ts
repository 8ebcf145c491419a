// The broker's shape: exchanges, quorum queues and bindings, as data. The same description is
// declared by services on connect (idempotent) and written to definitions.json for RabbitMQ's
// `load_definitions`, so the broker and the code can never disagree about a name.
import {
  DEAD_LETTER_EXCHANGE,
  DEAD_LETTER_QUEUE,
  EXCHANGE,
  QUEUES,
  QUEUE_KIND,
  allDevicesPattern,
  type QueueName,
} from './names.js';
import { boundPolicies } from './queue-bounds.js';

export interface ExchangeSpec {
  name: string;
  type: 'topic';
}

export interface QueueSpec {
  name: string;
  arguments: Record<string, string | number>;
}

export interface BindingSpec {
  exchange: string;
  queue: string;
  routingKey: string;
}

export interface Topology {
  exchanges: ExchangeSpec[];
  queues: QueueSpec[];
  bindings: BindingSpec[];
}

/**
 * A message redelivered this many times (a consumer that keeps crashing on it, or keeps
 * requeueing it) is dead-lettered by the broker itself: no poison message loops forever.
 */
export const DELIVERY_LIMIT = 20;

const workQueueArguments = {
  'x-queue-type': 'quorum',
  'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
  'x-delivery-limit': DELIVERY_LIMIT,
};

export const topology: Topology = {
  exchanges: [
    { name: EXCHANGE, type: 'topic' },
    { name: DEAD_LETTER_EXCHANGE, type: 'topic' },
  ],
  queues: [
    ...Object.values(QUEUES).map((name) => ({ name, arguments: { ...workQueueArguments } })),
    { name: DEAD_LETTER_QUEUE, arguments: { 'x-queue-type': 'quorum' } },
  ],
  bindings: [
    ...(Object.entries(QUEUE_KIND) as [QueueName, (typeof QUEUE_KIND)[QueueName]][]).map(
      ([queue, kind]) => ({ exchange: EXCHANGE, queue, routingKey: allDevicesPattern(kind) }),
    ),
    // Dead letters keep their original routing key; `#` catches all of them.
    { exchange: DEAD_LETTER_EXCHANGE, queue: DEAD_LETTER_QUEUE, routingKey: '#' },
  ],
};

/** The topology in RabbitMQ's definitions.json format (users are added by the deployment). */
export function rabbitDefinitions(vhost = '/'): Record<string, unknown> {
  return {
    vhosts: [{ name: vhost }],
    exchanges: topology.exchanges.map((e) => ({
      name: e.name,
      vhost,
      type: e.type,
      durable: true,
      auto_delete: false,
      internal: false,
      arguments: {},
    })),
    queues: topology.queues.map((q) => ({
      name: q.name,
      vhost,
      durable: true,
      auto_delete: false,
      arguments: q.arguments,
    })),
    bindings: topology.bindings.map((b) => ({
      source: b.exchange,
      vhost,
      destination: b.queue,
      destination_type: 'queue',
      routing_key: b.routingKey,
      arguments: {},
    })),
    policies: boundPolicies(vhost),
  };
}
