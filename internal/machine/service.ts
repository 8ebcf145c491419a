// The gRPC service definition for @grpc/grpc-js, built from machine-controller.proto with the
// protobufjs the platform already uses for its messages (no code generation, no second
// protobufjs through proto-loader). Client and server share it, so they cannot disagree.
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/** The version both sides write; a request of another is refused (INVALID_ARGUMENT). */
export const MACHINE_SCHEMA_VERSION = 1;

const protoPath = fileURLToPath(new URL('./machine-controller.proto', import.meta.url));
const root = protobuf.loadSync(protoPath);
const RequestType = root.lookupType('iot.machine.v1.ActionRequest');
const ReplyType = root.lookupType('iot.machine.v1.ActionReply');

export const MACHINE_ACTIONS = ['notify', 'reduce-speed', 'stop'] as const;
export type MachineAction = (typeof MACHINE_ACTIONS)[number];

export interface ActionRequest {
  schemaVersion: number;
  idempotencyKey: string;
  action: string;
  target: string;
  serial: string;
  alarmId: string;
  rule: string;
  severity: string;
  reason: string;
  requestedAtMs: number;
}

export interface ActionReply {
  schemaVersion: number;
  applied: boolean;
  duplicate: boolean;
  detail: string;
  appliedAtMs: number;
}

const toObject: protobuf.IConversionOptions = { longs: Number, defaults: true };

function serializer<T extends object>(type: protobuf.Type) {
  return (value: T): Buffer => Buffer.from(type.encode(type.fromObject(value)).finish());
}
function deserializer<T>(type: protobuf.Type) {
  return (bytes: Buffer): T => type.toObject(type.decode(bytes), toObject) as T;
}

export const MACHINE_CONTROLLER_SERVICE = {
  applyAction: {
    path: '/iot.machine.v1.MachineController/ApplyAction',
    requestStream: false,
    responseStream: false,
    requestSerialize: serializer<ActionRequest>(RequestType),
    requestDeserialize: deserializer<ActionRequest>(RequestType),
    responseSerialize: serializer<ActionReply>(ReplyType),
    responseDeserialize: deserializer<ActionReply>(ReplyType),
  },
} satisfies ServiceDefinition;
