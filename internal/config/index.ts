export * from './errors.js';
export * from './variables.js';
export * from './load.js';
export * from './fields.js';
export * from './common.js';
export * from './duration.js';
export * from './files.js';
