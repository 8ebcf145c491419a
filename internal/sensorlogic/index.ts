export * from './unknown-serial.js';
