// What iot-api consumes from devices: command acks (sensor.all.acks.api) and announcements
// (sensor.all.registry.api). Poison goes to the dead-letter queue with its reason.
import type pg from 'pg';
import { ack, deadLetter, type Handler } from '../../internal/pubsub/index.js';
import {
  RoutingError,
  commandAckCodec,
  registrationCodec,
  serialFromKey,
} from '../../internal/routing/index.js';
import {
  ValidationError,
  validateMessageSize,
  validateRegistration,
  validateSameSerial,
  validateSerial,
} from '../../internal/validation/index.js';
import type { CommandDispatcher } from './command-dispatcher.js';
import type { ApiMetrics } from './metrics.js';
import { recordAck } from './store/commands-store.js';
import { inTransaction } from './store/queryable.js';

function decode<T>(decodeBody: () => T): T | { poison: string } {
  try {
    return decodeBody();
  } catch (error) {
    if (error instanceof RoutingError || error instanceof ValidationError) {
      return { poison: error.message };
    }
    throw error;
  }
}

const isPoison = (value: unknown): value is { poison: string } =>
  typeof value === 'object' && value !== null && 'poison' in value;

export function createAckHandler(deps: { pool: pg.Pool; metrics: ApiMetrics }): Handler {
  return async (delivery) => {
    const message = decode(() => {
      validateMessageSize(delivery.body.length);
      const decoded = commandAckCodec.decode(delivery.body);
      validateSerial(decoded.serial);
      validateSameSerial(decoded.serial, serialFromKey(delivery.routingKey));
      return decoded;
    });
    if (isPoison(message)) return deadLetter(message.poison);
    // The serial is part of the match: a device cannot settle another device's command.
    const moved = await inTransaction(deps.pool, (client) =>
      recordAck(client, {
        serial: message.serial,
        commandId: message.commandId,
        outcome: message.outcome,
        reason: message.reason,
      }),
    );
    deps.metrics.acks.inc({ outcome: message.outcome, effect: moved ? 'recorded' : 'ignored' });
    return ack();
  };
}

export function createAnnouncementHandler(deps: { dispatcher: CommandDispatcher }): Handler {
  return async (delivery) => {
    const registration = decode(() => {
      validateMessageSize(delivery.body.length);
      const decoded = validateRegistration(registrationCodec.decode(delivery.body));
      validateSameSerial(decoded.serial, serialFromKey(delivery.routingKey));
      return decoded;
    });
    if (isPoison(registration)) return deadLetter(registration.poison);
    await deps.dispatcher.onAnnouncement(registration);
    return ack();
  };
}
