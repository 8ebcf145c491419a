export * from './bounds.js';
export * from './errors.js';
export * from './validate.js';
export * from './text.js';
