import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { amqpUrl, httpPort, logLevel, unknownSerialTimeout } from './common.js';
import { duration, integer, optional, redactUrl, string } from './fields.js';
import { loadConfig, type Env } from './load.js';

const spec = {
  amqpUrl,
  logLevel,
  httpPort,
  prefetch: integer('IOT_AMQP_PREFETCH', { min: 1, max: 10_000 }, { default: 200 }),
  apiUrl: optional(string('IOT_API_URL')),
};

const valid = { IOT_AMQP_URL: 'amqp://u:p@127.0.0.1:5672/%2F' };

function problemsOf(env: Env): readonly string[] {
  try {
    loadConfig(env, spec);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const config = loadConfig({ ...valid, PATH: '/bin' }, spec);
    expect(config).toEqual({
      amqpUrl: valid.IOT_AMQP_URL,
      logLevel: 'info',
      httpPort: 8080,
      prefetch: 200,
      apiUrl: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("takes a cluster's nodes as a comma-separated list", () => {
    const nodes = 'amqp://u:p@127.0.0.1:5672/%2F,amqps://u:p@node-2:5671/%2F';
    expect(loadConfig({ IOT_AMQP_URL: nodes }, spec).amqpUrl).toBe(nodes);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...valid, IOT_LOG_LEVEL: '' }, spec).logLevel).toBe('info');
  });

  it.each([
    [{}, 'IOT_AMQP_URL: is required but not set'],
    [{ IOT_AMQP_URL: 'nonsense' }, 'IOT_AMQP_URL: "nonsense" is not a URL'],
    [{ IOT_AMQP_URL: 'http://x' }, 'IOT_AMQP_URL: scheme must be amqp: or amqps:, got http:'],
    [
      { IOT_AMQP_URL: 'amqp://a:5672,http://b' },
      'IOT_AMQP_URL: scheme must be amqp: or amqps:, got http:',
    ],
    [{ IOT_AMQP_URL: 'amqp://a:5672,,amqp://b' }, 'IOT_AMQP_URL: has an empty entry'],
    [{ ...valid, IOT_LOG_LEVEL: 'verbose' }, 'IOT_LOG_LEVEL: "verbose" is not one of'],
    [{ ...valid, IOT_HTTP_PORT: '80a' }, 'IOT_HTTP_PORT: "80a" is not an integer'],
    [{ ...valid, IOT_HTTP_PORT: '70000' }, 'IOT_HTTP_PORT: 70000 is outside 0..65535'],
    [{ ...valid, IOT_AMQP_PREFETCH: '0' }, 'IOT_AMQP_PREFETCH: 0 is outside 1..10000'],
    [
      { ...valid, IOT_AMPQ_URL: 'x' },
      'IOT_AMPQ_URL: unknown variable (did you mean IOT_AMQP_URL?)',
    ],
    [{ ...valid, IOT_WHATEVER: 'x' }, 'IOT_WHATEVER: unknown variable'],
  ] as [Env, string][])('%o → %s', (env, problem) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ IOT_LOG_LEVEL: 'loud', IOT_HTTP_PORT: '-1' })).toHaveLength(3);
  });

  it('never quotes a password from a bad URL', () => {
    const problems = problemsOf({ IOT_AMQP_URL: 'amqp//user:hunter2@host' });
    expect(problems.join()).not.toContain('hunter2');
    expect(redactUrl('amqp://user:hunter2@host/')).toBe('amqp://user:***@host/');
  });

  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['2m', 120_000],
    ['1500', 1500],
  ])('duration %s = %d ms', (raw, ms) => {
    const config = loadConfig(
      { IOT_AMQP_PREFETCH: raw },
      { d: duration('IOT_AMQP_PREFETCH', { minMs: 1, maxMs: 3_600_000 }) },
    );
    expect(config.d).toBe(ms);
  });

  it('duration 7d = 7 days', () => {
    const config = loadConfig(
      { IOT_AMQP_PREFETCH: '7d' },
      { d: duration('IOT_AMQP_PREFETCH', { minMs: 1, maxMs: 30 * 86_400_000 }) },
    );
    expect(config.d).toBe(7 * 86_400_000);
  });

  it.each(['5 sec', '-1s', '2w', '2d'])('duration %s is refused', (raw) => {
    expect(() =>
      loadConfig(
        { IOT_AMQP_PREFETCH: raw },
        { d: duration('IOT_AMQP_PREFETCH', { minMs: 1, maxMs: 3_600_000 }) },
      ),
    ).toThrowError(/IOT_AMQP_PREFETCH/);
  });
});

describe('IOT_INGEST_UNKNOWN_SERIAL_TIMEOUT, one set of bounds for both ingesters', () => {
  const load = (raw?: string) =>
    loadConfig({ IOT_INGEST_UNKNOWN_SERIAL_TIMEOUT: raw }, { t: unknownSerialTimeout }).t;

  it.each([
    [undefined, 60_000],
    ['1s', 1_000],
    ['1h', 3_600_000],
  ])('%s = %d ms', (raw, ms) => expect(load(raw)).toBe(ms));

  it.each(['500ms', '0', '2h'])('%s is refused', (raw) =>
    expect(() => load(raw)).toThrowError(/IOT_INGEST_UNKNOWN_SERIAL_TIMEOUT/),
  );
});
