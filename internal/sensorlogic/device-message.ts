// Every consumer of device messages first does the same: refuse an oversized body, decode and
// validate it, and check that the serial inside is the one the broker says published it (a
// device cannot speak for another). Bad input becomes a dead-letter outcome with the reason.
import { deadLetter, type Delivery, type Outcome } from '../pubsub/index.js';
import { RoutingError, serialFromKey } from '../routing/index.js';
import { ValidationError, validateMessageSize, validateSameSerial } from '../validation/index.js';

export function decodeDeviceMessage<T extends { serial: string }>(
  delivery: Delivery,
  parse: (bytes: Uint8Array) => T,
): T | Outcome {
  try {
    validateMessageSize(delivery.body.length);
    const message = parse(delivery.body);
    validateSameSerial(message.serial, serialFromKey(delivery.routingKey));
    return message;
  } catch (error) {
    // Causes: the field a validation names (the messages' fields, a fixed set once an element's
    // index is dropped: values[17] → values[]), or undecodable.
    if (error instanceof ValidationError) {
      return deadLetter(error.message, `invalid ${error.field.replace(/\[\d+\]/g, '[]')}`);
    }
    if (error instanceof RoutingError) return deadLetter(error.message, 'undecodable');
    throw error;
  }
}

/** Whether decodeDeviceMessage answered with an outcome instead of a message. */
export const isOutcome = (value: object): value is Outcome => 'kind' in value;
