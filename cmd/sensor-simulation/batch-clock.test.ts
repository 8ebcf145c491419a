import { describe, expect, it } from 'vitest';
import { BatchClock, firstSequence, samplesPerBatch } from './batch-clock.js';

// A boot at a realistic epoch (2026-11-22T12:00:00.123Z), in µs.
const T0_US = Date.UTC(2026, 10, 22, 12, 0, 0, 123) * 1000;

describe('samplesPerBatch', () => {
  it.each([
    [1000, 1000, 1000],
    [200, 1000, 200],
    [25_600, 1000, 25_600],
    [3, 1000, 3],
    [3, 500, 2], // 1.5 rounds to 2: batches of 2/3 s
    [1, 10, 1], // never less than one sample
    [100, 250, 25],
  ])('%d Hz every %d ms → %d samples', (hz, ms, n) => {
    expect(samplesPerBatch(hz, ms)).toBe(n);
  });
});

describe('BatchClock: contiguous batches with exact µs timestamps', () => {
  it.each([
    // rate, interval, µs per batch when exact
    [1000, 1000, 1_000_000],
    [200, 1000, 1_000_000],
    [25_600, 1000, 1_000_000],
    [3, 1000, 1_000_000],
    [200, 250, 250_000],
    [25_600, 10, 10_000], // 256 samples
  ])('%d Hz, %d ms batches: batch k starts at t0 + k·%d µs', (hz, ms, step) => {
    const clock = new BatchClock({ startUs: T0_US, sampleRateHz: hz, intervalMs: ms });
    const n = clock.samplesPerBatch;
    for (const k of [0, 1, 2, 3, 59, 3600, 86_400, 1_000_000]) {
      expect(clock.batchStartUs(k)).toBe(T0_US + k * step);
      // Sample i is at t0 + i/rate, and batch k begins with sample k·n.
      expect(clock.firstSample(k)).toBe(k * n);
      expect(clock.batchStartUs(k) - T0_US).toBe((clock.firstSample(k) * 1e6) / hz);
      // No gap, no overlap: batch k+1 begins n sample periods after batch k.
      expect(clock.batchStartUs(k + 1) - clock.batchStartUs(k)).toBe((n * 1e6) / hz);
      expect(clock.batchEndUs(k)).toBe(clock.batchStartUs(k + 1));
    }
  });

  it.each([
    [3, 500], // 2/3 s per batch: 666 666.67 µs
    [7, 1000 / 3],
    [12_345, 1000],
  ])('%d Hz, %d ms: inexact periods round per batch and never drift', (hz, ms) => {
    const clock = new BatchClock({ startUs: T0_US, sampleRateHz: hz, intervalMs: ms });
    const n = clock.samplesPerBatch;
    for (let k = 0; k < 10_000; k += 7) {
      const exact = T0_US + (k * n * 1e6) / hz;
      expect(Math.abs(clock.batchStartUs(k) - exact)).toBeLessThanOrEqual(0.5);
      expect(Number.isInteger(clock.batchStartUs(k))).toBe(true);
    }
  });

  it.each([
    // now (ms after t0), batches due from k=0
    [0, 0],
    [999, 0],
    [1000, 1],
    [1001, 1],
    [4999, 4],
    [5000, 5],
  ])('at t0 + %d ms, %d batches of 1 s are due', (afterMs, due) => {
    const clock = new BatchClock({ startUs: T0_US, sampleRateHz: 200, intervalMs: 1000 });
    expect(clock.dueCount(0, T0_US / 1000 + afterMs)).toBe(due);
  });

  it('a batch is due from the first whole millisecond at or after its end', () => {
    const clock = new BatchClock({ startUs: T0_US, sampleRateHz: 3, intervalMs: 500 });
    const end = clock.batchEndUs(0); // t0 + 666 667 µs
    expect(clock.batchDueMs(0)).toBe(Math.ceil(end / 1000));
    expect(clock.dueCount(0, clock.batchDueMs(0))).toBe(1);
    expect(clock.dueCount(0, clock.batchDueMs(0) - 1)).toBe(0);
  });
});

describe('firstSequence', () => {
  const boot = Date.UTC(2026, 10, 22, 12);
  it.each([
    // uptime before the reboot, batch interval, reboot delay
    ['an hour of 10 ms batches, instant reboot', 3_600_000, 10, 1],
    ['a day of 1 s batches, 5 s reboot', 86_400_000, 1000, 5000],
    ['a year of 10 ms batches', 365 * 86_400_000, 10, 1],
  ])('stays increasing across a reboot: %s', (_name, uptimeMs, intervalMs, rebootMs) => {
    const lastBeforeReboot = firstSequence(boot) + Math.floor(uptimeMs / intervalMs) - 1;
    const firstAfterReboot = firstSequence(boot + uptimeMs + rebootMs);
    expect(firstAfterReboot).toBeGreaterThan(lastBeforeReboot);
  });

  it('is a positive safe integer for centuries', () => {
    expect(firstSequence(boot)).toBe(boot * 1000);
    expect(Number.isSafeInteger(firstSequence(Date.UTC(2250, 0, 1)) + 1e9)).toBe(true);
    expect(firstSequence(Date.UTC(2001, 0, 1))).toBeGreaterThan(0);
  });
});
