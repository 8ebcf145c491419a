// What iot-api consumes from devices: command acks (sensor.all.acks.api) and announcements
// (sensor.all.registry.api). Poison goes to the dead-letter queue with its reason.
import type pg from 'pg';
import { ack, type Handler } from '../../internal/pubsub/index.js';
import { commandAckCodec, registrationCodec } from '../../internal/routing/index.js';
import { decodeDeviceMessage, isOutcome } from '../../internal/sensorlogic/index.js';
import { validateCommandAck, validateRegistration } from '../../internal/validation/index.js';
import type { CommandDispatcher } from './command-dispatcher.js';
import type { ApiMetrics } from './metrics.js';
import { recordAck } from './store/commands-store.js';
import { inTransaction } from './store/queryable.js';

export function createAckHandler(deps: { pool: pg.Pool; metrics: ApiMetrics }): Handler {
  return async (delivery) => {
    const message = decodeDeviceMessage(delivery, (bytes) =>
      validateCommandAck(commandAckCodec.decode(bytes)),
    );
    if (isOutcome(message)) return message;
    // The serial is part of the match: a device cannot settle another device's command.
    const moved = await inTransaction(deps.pool, (client) =>
      recordAck(client, {
        serial: message.serial,
        commandId: message.commandId,
        outcome: message.outcome,
        reason: message.reason,
        atMs: message.atMs,
      }),
    );
    deps.metrics.acks.inc({ outcome: message.outcome, effect: moved ? 'recorded' : 'ignored' });
    return ack();
  };
}

export function createAnnouncementHandler(deps: { dispatcher: CommandDispatcher }): Handler {
  return async (delivery) => {
    const registration = decodeDeviceMessage(delivery, (bytes) =>
      validateRegistration(registrationCodec.decode(bytes)),
    );
    if (isOutcome(registration)) return registration;
    await deps.dispatcher.onAnnouncement(registration);
    return ack();
  };
}
