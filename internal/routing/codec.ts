// Encode and decode the protobuf messages of messages.proto. Decoding is strict: bytes that
// are not the type, or a schema_version other than ours, throw a RoutingError, so a consumer
// can dead-letter the message with the reason instead of storing a half-read value.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import {
  SCHEMA_VERSION,
  UndecodableMessageError,
  UnsupportedSchemaVersionError,
} from './errors.js';
import type {
  AckOutcome,
  Command,
  CommandAck,
  FeatureEvent,
  Location,
  LogLine,
  MeasurementBatch,
  Registration,
} from './messages.js';

export const protoPath = fileURLToPath(new URL('./messages.proto', import.meta.url));
const root = protobuf.loadSync(protoPath);

const toObjectOptions: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

export interface Codec<T> {
  encode(message: Omit<T, 'schemaVersion'> & { schemaVersion?: number }): Uint8Array;
  decode(bytes: Uint8Array): T;
}

/** A codec for one message type; `fromWire`/`toWire` adapt shapes that differ from the proto. */
function codec<T extends { schemaVersion: number }>(
  typeName: string,
  fromWire: (plain: Record<string, unknown>) => T = (plain) => plain as T,
  toWire: (message: T) => Record<string, unknown> = (message) => ({ ...message }),
): Codec<T> {
  const type = root.lookupType(`iot.v1.${typeName}`);
  return {
    encode(message) {
      const full = { ...message, schemaVersion: message.schemaVersion ?? SCHEMA_VERSION } as T;
      return type.encode(type.fromObject(toWire(full))).finish();
    },
    decode(bytes) {
      let plain: Record<string, unknown>;
      try {
        plain = type.toObject(type.decode(bytes), toObjectOptions);
      } catch (cause) {
        throw new UndecodableMessageError(typeName, { cause });
      }
      const version = plain.schemaVersion as number;
      if (version !== SCHEMA_VERSION) throw new UnsupportedSchemaVersionError(typeName, version);
      return fromWire(plain);
    },
  };
}

export const registrationCodec = codec<Registration>('Registration');
export const measurementBatchCodec = codec<MeasurementBatch>('MeasurementBatch');
export const locationCodec = codec<Location>('Location');
export const logLineCodec = codec<LogLine>('LogLine');

// The command's oneof becomes a tagged union in TypeScript.
export const commandCodec = codec<Command>(
  'Command',
  (plain) => {
    const { action: which, sleep: _s, awake: _a, setSampleFrequency, ...rest } = plain;
    const hz = (setSampleFrequency as { hz?: number } | undefined)?.hz ?? 0;
    const action: Command['action'] | undefined =
      which === 'sleep'
        ? { type: 'sleep' }
        : which === 'awake'
          ? { type: 'awake' }
          : which === 'setSampleFrequency'
            ? { type: 'set_sample_frequency', hz }
            : undefined;
    if (!action) throw new UndecodableMessageError('Command (no action)');
    return { ...(rest as Omit<Command, 'action'>), action };
  },
  ({ action, ...rest }) => ({
    ...rest,
    ...(action.type === 'sleep'
      ? { sleep: {} }
      : action.type === 'awake'
        ? { awake: {} }
        : { setSampleFrequency: { hz: action.hz } }),
  }),
);

const OUTCOMES: Record<string, AckOutcome> = {
  APPLIED: 'applied',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
};

export const commandAckCodec = codec<CommandAck>(
  'CommandAck',
  (plain) => {
    const outcome = OUTCOMES[plain.outcome as string];
    if (!outcome) throw new UndecodableMessageError('CommandAck (no outcome)');
    return { ...(plain as unknown as CommandAck), outcome };
  },
  (ack) => ({ ...ack, outcome: ack.outcome.toUpperCase() }),
);

// Absent optional numbers and empty strings become null, and back.
const NULLABLE_STRINGS = ['isoClass', 'isoZone', 'diagnosis', 'diagnosisEvidence'] as const;
const OPTIONAL_NUMBERS = [
  'velocityRmsMmS',
  'anomalyScore',
  'bpfoStrength',
  'bpfiStrength',
  'bsfStrength',
  'ftfStrength',
] as const;

export const featureEventCodec = codec<FeatureEvent>(
  'FeatureEvent',
  (plain) => {
    const event = { ...plain } as Record<string, unknown>;
    for (const key of NULLABLE_STRINGS) if (!event[key]) event[key] = null;
    for (const key of OPTIONAL_NUMBERS) if (typeof event[key] !== 'number') event[key] = null;
    return event as unknown as FeatureEvent;
  },
  (event) => {
    const wire: Record<string, unknown> = { ...event };
    for (const key of NULLABLE_STRINGS) wire[key] = event[key] ?? '';
    for (const key of OPTIONAL_NUMBERS) if (event[key] === null) delete wire[key];
    return wire;
  },
);
