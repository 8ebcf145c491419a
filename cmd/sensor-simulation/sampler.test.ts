import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Sampler, type MeasuredBatch } from './sampler.js';

const BOOT = Date.UTC(2026, 10, 22, 12, 0, 0, 250);

beforeEach(() => {
  vi.useFakeTimers({ now: BOOT });
});
afterEach(() => {
  vi.useRealTimers();
});

function sampler(rate: number, intervalMs = 1000) {
  const batches: MeasuredBatch[] = [];
  const s = new Sampler({
    serial: 'S-1',
    sampleRateHz: rate,
    batchIntervalMs: intervalMs,
    bootMs: BOOT,
    onBatch: (b) => batches.push(b),
  });
  return { s, batches };
}

function expectContiguous(batches: MeasuredBatch[], rate: number, n: number) {
  batches.forEach((b, k) => {
    expect(b.index).toBe(k);
    expect(b.sequence).toBe(BOOT * 1000 + k);
    expect(b.values).toHaveLength(n);
    expect(b.startTimeUs).toBe(BOOT * 1000 + (k * n * 1e6) / rate);
  });
}

describe('Sampler', () => {
  it('emits each batch when the clock passes its end', async () => {
    const { s, batches } = sampler(200);
    s.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2500);
    expect(batches).toHaveLength(3);
    expectContiguous(batches, 200, 200);
  });

  it('emits every overdue batch at once when the event loop fell behind', async () => {
    const { s, batches } = sampler(1000, 250);
    s.start();
    // The wall clock runs 5.1 s ahead while no timer fires (a blocked event loop); the first
    // timer then fires 250 ms later, at BOOT + 5.35 s: 21 batches are complete.
    vi.setSystemTime(BOOT + 5_100);
    await vi.advanceTimersByTimeAsync(250);
    expect(batches).toHaveLength(21);
    expectContiguous(batches, 1000, 250);
    // Back on schedule: the next one is due at BOOT + 5.5 s.
    await vi.advanceTimersByTimeAsync(149);
    expect(batches).toHaveLength(21);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toHaveLength(22);
  });

  it('on stop emits what is complete and never the partial batch', async () => {
    const { s, batches } = sampler(3);
    s.start();
    await vi.advanceTimersByTimeAsync(2_400);
    vi.setSystemTime(BOOT + 3_000);
    s.stop();
    expect(batches).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(batches).toHaveLength(3);
    expectContiguous(batches, 3, 3);
  });
});
