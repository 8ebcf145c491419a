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
  it('plays a --replay list: batches join sample for sample, the switch at SECONDS', async () => {
    // 10 Hz, 300 ms batches (3 samples): the first recording (4 samples, looped) for 1 s, then
    // the second (5 samples) until stopped.
    const batches: MeasuredBatch[] = [];
    const recording = (from: number, n: number) => ({
      samples: Float32Array.from({ length: n }, (_, i) => from + i),
      rateHz: undefined,
    });
    const s = new Sampler({
      serial: 'R-1',
      sampleRateHz: 10,
      batchIntervalMs: 300,
      bootMs: BOOT,
      machine: {
        replay: [
          { file: 'a.f32', seconds: 1, recording: recording(0, 4) },
          { file: 'b.f32', seconds: undefined, recording: recording(10, 5) },
        ],
      },
      onBatch: (b) => batches.push(b),
    });
    s.start();
    await vi.advanceTimersByTimeAsync(2_100);
    s.stop();
    expect(batches).toHaveLength(7);
    expect(batches.flatMap((b) => [...b.values])).toEqual([
      ...[0, 1, 2, 3, 0, 1, 2, 3, 0, 1],
      ...[10, 11, 12, 13, 14, 10, 11, 12, 13, 14, 10],
    ]);
  });

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

  it('changes rate at the next batch boundary: the batch in progress ends at the old rate', async () => {
    const { s, batches } = sampler(100, 200); // 20 samples, 200 ms per batch
    s.start();
    await vi.advanceTimersByTimeAsync(450); // two batches out, the third in progress
    expect(s.setSampleRate(250)).toBe((BOOT + 600) * 1000);
    expect(s.sampleRateHz).toBe(250);
    await vi.advanceTimersByTimeAsync(150); // BOOT + 600: the third batch, still at 100 Hz
    expect(batches.map((b) => b.sampleRateHz)).toEqual([100, 100, 100]);
    await vi.advanceTimersByTimeAsync(400);
    expect(batches.map((b) => [b.sampleRateHz, b.values.length])).toEqual([
      [100, 20],
      [100, 20],
      [100, 20],
      [250, 50],
      [250, 50],
    ]);
    expectUnbroken(batches);
  });

  it('a rate asked for and taken back before the boundary changes nothing', async () => {
    const { s, batches } = sampler(100, 200);
    s.start();
    await vi.advanceTimersByTimeAsync(100);
    s.setSampleRate(50);
    s.setSampleRate(100);
    await vi.advanceTimersByTimeAsync(900);
    expectContiguous(batches, 100, 20);
  });

  it('while the clock is late, the change still waits for the batch in progress', async () => {
    const { s, batches } = sampler(100, 200);
    s.start();
    vi.setSystemTime(BOOT + 710); // no timer has fired: three batches are overdue
    expect(s.setSampleRate(50)).toBe((BOOT + 800) * 1000);
    expect(batches).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(490); // BOOT + 1200
    expect(batches.map((b) => b.sampleRateHz)).toEqual([100, 100, 100, 100, 50, 50]);
    expectUnbroken(batches);
  });

  it('sleeps and wakes: sequences run on, the first batch after waking starts at the wake time', async () => {
    const { s, batches } = sampler(100, 200);
    s.start();
    await vi.advanceTimersByTimeAsync(500);
    s.stop(); // at BOOT + 500: two batches, the partial third is dropped
    expect(s.measuring).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(batches).toHaveLength(2);
    const wakeMs = BOOT + 5_503;
    vi.setSystemTime(wakeMs);
    s.start(wakeMs);
    await vi.advanceTimersByTimeAsync(400);
    expect(batches).toHaveLength(4);
    expect(batches.map((b) => b.sequence - BOOT * 1000)).toEqual([0, 1, 2, 3]);
    expect(batches.map((b) => b.index)).toEqual([0, 1, 2, 3]);
    expect(batches[2]?.startTimeUs).toBe(wakeMs * 1000);
    expect(batches[3]?.startTimeUs).toBe((wakeMs + 200) * 1000);
  });

  it('a rate set while asleep is the rate it wakes with; a pending change dies with the sleep', async () => {
    const { s, batches } = sampler(100, 200);
    s.start();
    await vi.advanceTimersByTimeAsync(300);
    s.setSampleRate(50); // due at BOOT + 400, but the sensor sleeps first
    s.stop();
    expect(s.setSampleRate(200)).toBeUndefined();
    s.start(BOOT + 300);
    await vi.advanceTimersByTimeAsync(200);
    expect(batches.map((b) => [b.sampleRateHz, b.values.length, b.startTimeUs])).toEqual([
      [100, 20, BOOT * 1000],
      [200, 40, (BOOT + 300) * 1000],
    ]);
  });
});

/** Every batch starts where the previous ended, at whatever rate each ran. */
function expectUnbroken(batches: MeasuredBatch[]) {
  batches.forEach((b, k) => {
    expect(b.sequence).toBe(BOOT * 1000 + k);
    const previous = batches[k - 1];
    if (!previous) return;
    expect(b.startTimeUs).toBe(
      previous.startTimeUs + (previous.values.length * 1e6) / previous.sampleRateHz,
    );
  });
}
