export * from './device-credentials.js';
