import { describe, expect, it } from 'vitest';
import { keptUp } from './max.js';
import type { BenchResult } from './report.js';

const result = (over: { rate: number; p99: number; lost?: number; timedOut?: boolean }) =>
  ({
    samplesPerSecond: over.rate,
    latencyMs: { p50: 1, p95: 1, p99: over.p99, max: over.p99 },
    lostSamples: over.lost ?? 0,
    accounting: { drainTimedOut: over.timedOut ?? false },
  }) as unknown as BenchResult;

describe('keptUp', () => {
  it.each([
    ['all committed, fast', { rate: 1_000_000, p99: 50 }, true],
    ['95 % committed', { rate: 950_000, p99: 50 }, true],
    ['94 % committed', { rate: 940_000, p99: 50 }, false],
    ['p99 at one second', { rate: 1_000_000, p99: 1_000 }, true],
    ['p99 over one second', { rate: 1_000_000, p99: 2_500 }, false],
    ['a sample lost', { rate: 1_000_000, p99: 50, lost: 1 }, false],
    ['the drain timed out', { rate: 1_000_000, p99: 50, timedOut: true }, false],
  ])('%s: %j → %s', (_name, over, expected) => {
    expect(keptUp(result(over), 1_000_000)).toBe(expected);
  });
});
