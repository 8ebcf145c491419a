export * from './device-credentials.js';
export * from './passwords.js';
export * from './tokens.js';
export * from './api-keys.js';
export * from './errors.js';
