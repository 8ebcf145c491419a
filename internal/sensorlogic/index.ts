export * from './unknown-serial.js';
export * from './device-message.js';
export * from './failure-outcome.js';
export * from './readiness.js';
