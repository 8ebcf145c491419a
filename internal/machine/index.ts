// internal/machine: the machine controller's gRPC contract (machine-controller.proto), its
// client with TLS and deadlines, and the retry policy sensor-alarms delivers actions with.
export * from './client.js';
export * from './errors.js';
export * from './retry.js';
export * from './service.js';
