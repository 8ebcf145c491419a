export * from './concurrency.js';
export * from './fleet-serials.js';
export * from './provision.js';
