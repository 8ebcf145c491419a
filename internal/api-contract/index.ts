export * from './schemas.js';
export * from './command-status.js';
