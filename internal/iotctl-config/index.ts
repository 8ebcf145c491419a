export * from './config-file.js';
export * from './errors.js';
