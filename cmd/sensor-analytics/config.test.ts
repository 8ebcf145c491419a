import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../internal/config/index.js';
import { loadAnalyticsConfig } from './config.js';

const required = {
  IOT_AMQP_URL: 'amqp://u:p@127.0.0.1:5672/%2F',
  IOT_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/iot',
};

describe('loadAnalyticsConfig', () => {
  it('defaults to one window per batch and a 60-window baseline', () => {
    expect(loadAnalyticsConfig(required)).toMatchObject({
      windowMs: undefined,
      baselineWindows: 60,
      httpPort: 9104,
      unknownSerialTimeoutMs: 60_000,
    });
  });

  it.each([
    ['1s', 1000],
    ['2.5s', 2500],
    ['1m', 60_000],
  ])('IOT_ANALYTICS_WINDOW=%s is %d ms', (raw, ms) => {
    expect(loadAnalyticsConfig({ ...required, IOT_ANALYTICS_WINDOW: raw }).windowMs).toBe(ms);
  });

  it.each([
    ['IOT_ANALYTICS_WINDOW', '500ms'],
    ['IOT_ANALYTICS_WINDOW', '11m'],
    ['IOT_ANALYTICS_WINDOW', 'batch'],
    ['IOT_ANALYTICS_BASELINE_WINDOWS', '1'],
    ['IOT_ANALYTICS_BASELINE_WINDOWS', 'many'],
  ])('refuses %s=%s, naming it', (variable, raw) => {
    let thrown: unknown;
    try {
      loadAnalyticsConfig({ ...required, [variable]: raw });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toContain(variable);
  });
});
