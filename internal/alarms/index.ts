// internal/alarms: the alarm rules, their defaults and validation, and the state machine that
// turns readings into raise, update and clear; the rule book reads a target's settings.
// sensor-alarms and iot-api use it.
export * from './errors.js';
export * from './readings.js';
export * from './rule-settings.js';
export * from './rule-state.js';
export * from './rules.js';
export * from './live-events.js';
export * from './rule-book.js';
