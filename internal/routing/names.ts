// Every exchange, queue, routing key and MQTT topic of the system, and nothing else.
// docs/DESIGN.md "Names" is the contract; dependencies/rabbitmq/definitions.json is
// generated from this file (`npm run gen:definitions`), and a test keeps the two equal.

/** The topic exchange the MQTT plugin publishes to (`mqtt.exchange = iot`). */
export const EXCHANGE = 'iot';
/** Dead-letter exchange: poison messages land here with the reason in their headers. */
export const DEAD_LETTER_EXCHANGE = 'iot.dlx';
export const DEAD_LETTER_QUEUE = 'sensor.all.deadletter';

/** Message kinds a device publishes, one MQTT topic level each. */
export const DEVICE_KINDS = ['registry', 'measurements', 'locations', 'logs', 'acks'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** The one kind the platform publishes to a device. */
export const COMMANDS_KIND = 'commands';

/** Events the platform derives from a device's messages, under the device's serial. */
export const DERIVED_KINDS = ['features'] as const;
export type DerivedKind = (typeof DERIVED_KINDS)[number];

/** Queues named `entity.id.consumer.type`; all quorum, all dead-lettering to `iot.dlx`. */
export const QUEUES = {
  registry: 'sensor.all.registry.created',
  /** iot-api's copy of every announcement: it re-sends a sensor's desired state. */
  registryApi: 'sensor.all.registry.api',
  measurementsDbWriter: 'sensor.all.measurements.db_writer',
  measurementsAnalytics: 'sensor.all.measurements.analytics',
  locationsDbWriter: 'sensor.all.locations.db_writer',
  logs: 'sensor.all.logs',
  acksApi: 'sensor.all.acks.api',
  /** sensor-alarms' copy of every window's features (analytics → alarms). */
  featuresAlarms: 'sensor.all.features.alarms',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Which device (or derived) kind feeds each queue. */
export const QUEUE_KIND: Readonly<Record<QueueName, DeviceKind | DerivedKind>> = {
  [QUEUES.registry]: 'registry',
  [QUEUES.registryApi]: 'registry',
  [QUEUES.measurementsDbWriter]: 'measurements',
  [QUEUES.measurementsAnalytics]: 'measurements',
  [QUEUES.locationsDbWriter]: 'locations',
  [QUEUES.logs]: 'logs',
  [QUEUES.acksApi]: 'acks',
  [QUEUES.featuresAlarms]: 'features',
};

/** Routing key of a message from one device: `sensor.<serial>.<kind>`. */
export function deviceKey(serial: string, kind: DeviceKind | typeof COMMANDS_KIND): string {
  return `sensor.${serial}.${kind}`;
}

/** Routing key of an event derived from one sensor: `sensor.<serial>.features`. */
export function derivedKey(serial: string, kind: DerivedKind): string {
  return `sensor.${serial}.${kind}`;
}

/** Binding pattern matching every device's messages of one kind: `sensor.*.<kind>`. */
export function allDevicesPattern(kind: DeviceKind | DerivedKind): string {
  return `sensor.*.${kind}`;
}

/** MQTT topic for a device: `sensor/<serial>/<kind>`; the plugin maps `/` to `.`. */
export function deviceTopic(serial: string, kind: DeviceKind | typeof COMMANDS_KIND): string {
  return `sensor/${serial}/${kind}`;
}

/** The serial inside a routing key `sensor.<serial>.<kind>`, or undefined if it is not one. */
export function serialFromKey(routingKey: string): string | undefined {
  const parts = routingKey.split('.');
  if (parts.length !== 3 || parts[0] !== 'sensor' || parts[1] === 'all') return undefined;
  return parts[1];
}

/** Headers the platform puts on a dead-lettered message. */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-iot-reason',
  queue: 'x-iot-original-queue',
  routingKey: 'x-iot-original-routing-key',
  at: 'x-iot-dead-lettered-at',
} as const;

/** The queue RabbitMQ 3.10's MQTT plugin creates for a client's QoS 1 subscriptions. */
export function mqttSubscriptionQueue(clientId: string, qos: 0 | 1 = 1): string {
  return `mqtt-subscription-${clientId}qos${qos}`;
}

/**
 * What one device's broker user may do (RabbitMQ permission regexes). A device may publish its
 * own five kinds and read its own commands, nothing else: `{username}` is expanded by the
 * broker's topic authorisation, so a stolen credential cannot speak for another serial.
 * The serial is also the MQTT client id, which names its subscription queues.
 */
export function devicePermissions(serial: string) {
  const ownQueues = `^mqtt-subscription-${serial}qos[01]$`;
  return {
    vhost: {
      configure: ownQueues,
      write: `^(${EXCHANGE}|mqtt-subscription-${serial}qos[01])$`,
      read: `^(${EXCHANGE}|mqtt-subscription-${serial}qos[01])$`,
    },
    topic: {
      exchange: EXCHANGE,
      write: `^sensor\\.{username}\\.(${DEVICE_KINDS.join('|')})$`,
      read: `^sensor\\.{username}\\.${COMMANDS_KIND}$`,
    },
  };
}
