// One delivery of sensor.all.logs → one outcome. A message that can never be stored (not a
// LogLine, another schema version, out of bounds, or a serial other than the one that
// published it) is dead-lettered with the reason; a good line goes to the batch writer, whose
// answer (ack after the commit, or requeue) is the outcome.
import {
  deadLetter,
  type Delivery,
  type Handler,
  type Outcome,
} from '../../internal/pubsub/index.js';
import {
  logLineCodec,
  RoutingError,
  serialFromKey,
  type LogLine,
} from '../../internal/routing/index.js';
import {
  validateLogLine,
  validateMessageSize,
  validateSameSerial,
  ValidationError,
} from '../../internal/validation/index.js';

export interface LineWriter {
  add(line: LogLine, meta: { redelivered: boolean }): Promise<Outcome>;
}

export function createLogLineHandler(deps: { writer: LineWriter; now?: () => number }): Handler {
  const now = deps.now ?? Date.now;
  return async (delivery: Delivery) => {
    let line: LogLine;
    try {
      line = readLogLine(delivery, now());
    } catch (error) {
      if (error instanceof RoutingError || error instanceof ValidationError) {
        return deadLetter(error.message);
      }
      throw error;
    }
    return deps.writer.add(line, { redelivered: delivery.redelivered });
  };
}

/** Decodes, normalizes and validates; throws RoutingError or ValidationError. */
export function readLogLine(delivery: Delivery, nowMs: number): LogLine {
  validateMessageSize(delivery.body.length);
  const line = normalizeLogLine(logLineCodec.decode(delivery.body));
  validateLogLine(line, nowMs);
  validateSameSerial(line.serial, serialFromKey(delivery.routingKey));
  return line;
}

/**
 * The level lowercased (a device may say "INFO"), and NUL characters replaced: PostgreSQL text
 * and jsonb cannot hold U+0000, and one such line would fail its whole batch on every retry.
 */
export function normalizeLogLine(line: LogLine): LogLine {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(line.fields))
    fields[withoutNul(key)] = withoutNul(value);
  return {
    ...line,
    level: line.level.toLowerCase(),
    message: withoutNul(line.message),
    fields,
  };
}

function withoutNul(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}
