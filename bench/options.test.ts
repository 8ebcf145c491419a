import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';

describe('parseOptions', () => {
  it.each([
    [[], { scenario: 'nominal', sensors: 50, frequencyHz: 1000, durationS: 30, warmupS: 5 }],
    [['--scenario', 'high'], { sensors: 200, frequencyHz: 10_000 }],
    [['--scenario', 'fleet'], { sensors: 5000, frequencyHz: 10, batchIntervalS: 10 }],
    [['--scenario', 'fleet', '--batch-interval', '1'], { batchIntervalS: 1 }],
    [['--scenario', 'max'], { sensors: 100, frequencyHz: 10_000, durationS: 30, warmupS: 15 }],
    [['--scenario', 'smoke'], { sensors: 2, frequencyHz: 200, durationS: 3, warmupS: 1 }],
    [['--scenario', 'smoke', '--sensors', '7', '--replicas', '3'], { sensors: 7, replicas: 3 }],
    [['--scenario', 'high', '--history', '600'], { historyS: 600, analytics: 0 }],
    [['--scenario', 'high', '--analytics', '2'], { analytics: 2 }],
    [
      ['--duration', '20', '--warmup', '2', '--frequency', '500'],
      { durationS: 20, warmupS: 2, frequencyHz: 500 },
    ],
  ])('%j', (argv, expected) => {
    const parsed = parseOptions(argv);
    expect(parsed.kind).toBe('options');
    if (parsed.kind === 'options') expect(parsed.options).toMatchObject(expected);
  });

  it.each([
    [['--scenario', 'huge'], 'Must be one of'],
    [['--sensors', '0'], '--sensors'],
    [['--history', 'long'], '--history'],
    [['--frequency', 'fast'], '--frequency'],
    [['--duration', '3', '--warmup', '5'], 'leaves no steady state'],
    [['extra'], "unexpected argument 'extra'"],
    [['--nope'], "unknown option '--nope'"],
  ])('%j is refused with the usage line and exit 2', (argv, message) => {
    const parsed = parseOptions(argv);
    expect(parsed).toMatchObject({ kind: 'exit', code: 2 });
    if (parsed.kind === 'exit') {
      expect(parsed.stderr).toContain(message);
      expect(parsed.stderr).toContain('usage: npm run bench');
    }
  });
});
