export * from './schemas.js';
export * from './command-status.js';
export * from './dead-letters.js';
