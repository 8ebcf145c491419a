// One delivery of sensor.all.logs → one outcome. A message that can never be stored (not a
// LogLine, another schema version, out of bounds, or a serial other than the one that
// published it) is dead-lettered with the reason; a good line goes to the batch writer, whose
// answer (ack after the commit, or requeue) is the outcome.
import type { Delivery, Handler, Outcome } from '../../internal/pubsub/index.js';
import { logLineCodec, type LogLine } from '../../internal/routing/index.js';
import { decodeDeviceMessage, isOutcome } from '../../internal/sensorlogic/index.js';
import { validateLogLine } from '../../internal/validation/index.js';

export interface LineWriter {
  add(line: LogLine, meta: { redelivered: boolean }): Promise<Outcome>;
}

export function createLogLineHandler(deps: { writer: LineWriter; now?: () => number }): Handler {
  const now = deps.now ?? Date.now;
  return async (delivery: Delivery) => {
    const line = decodeDeviceMessage(delivery, (bytes) =>
      validateLogLine(normalizeLogLine(logLineCodec.decode(bytes)), now()),
    );
    if (isOutcome(line)) return line;
    return deps.writer.add(line, { redelivered: delivery.redelivered });
  };
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
