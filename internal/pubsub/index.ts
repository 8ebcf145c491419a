export * from './errors.js';
export * from './outcome.js';
export * from './connection.js';
export * from './publisher.js';
export * from './consumer.js';
export * from './mqtt-client.js';
export * from './rabbit-admin.js';
export * from './per-key-order.js';
