export * from './names.js';
export * from './errors.js';
export type * from './messages.js';
export * from './codec.js';
export * from './topology.js';
export * from './batch-time.js';
export * from './queue-bounds.js';
