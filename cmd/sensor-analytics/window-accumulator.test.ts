import { describe, expect, it } from 'vitest';
import { MAX_FFT_SIZE, MIN_WINDOW_SAMPLES } from '../../internal/vibration/index.js';
import {
  accumulate,
  windowSamples,
  type SampleRun,
  type WindowLength,
} from './window-accumulator.js';

const T0 = 1_763_846_400_000_000;
const BATCH: WindowLength = { kind: 'batch' };
const ONE_SECOND: WindowLength = { kind: 'ms', ms: 1000 };

/** Batch k of a contiguous stream: `size` samples at `rate`, each sample's value its index. */
function batch(k: number, size: number, rate: number, t0 = T0): SampleRun {
  return {
    startUs: t0 + Math.round((k * size * 1e6) / rate),
    rateHz: rate,
    samples: Float32Array.from({ length: size }, (_, i) => k * size + i),
  };
}

/** Feeds the batches through, as the service does, and returns every window. */
function feed(batches: SampleRun[], length: WindowLength) {
  let pending: SampleRun | null = null;
  const windows = [];
  let dropped = 0;
  for (const b of batches) {
    const out = accumulate(pending, b, length);
    windows.push(...out.windows);
    pending = out.pending;
    if (out.dropped) dropped++;
  }
  return { windows, pending, dropped };
}

describe('windowSamples', () => {
  it.each([
    ['one batch of 1000', BATCH, 1000, 1000, 1000],
    ['one batch of 10 (too short: joined)', BATCH, 10, 10, MIN_WINDOW_SAMPLES],
    ['1 s at 25.6 kHz', ONE_SECOND, 25_600, 2560, 25_600],
    ['1 s at 10 Hz (too short: 64 samples)', ONE_SECOND, 10, 10, MIN_WINDOW_SAMPLES],
    [
      '10 min at 25.6 kHz (capped at the largest FFT)',
      { kind: 'ms', ms: 600_000 },
      25_600,
      1,
      MAX_FFT_SIZE,
    ],
  ] as const)('%s', (_name, length, rate, batchSize, expected) => {
    expect(windowSamples(length, rate, batchSize)).toBe(expected);
  });
});

describe('accumulate', () => {
  it('by default makes each batch one window, exactly its span', () => {
    const { windows, pending } = feed([batch(0, 1000, 1000), batch(1, 1000, 1000)], BATCH);
    expect(windows.map((w) => [w.startUs - T0, w.endUs - T0, w.samples.length])).toEqual([
      [0, 1_000_000, 1000],
      [1_000_000, 2_000_000, 1000],
    ]);
    expect(pending).toBeNull();
  });

  it('joins ten 100 ms batches into one 1 s window, samples in order', () => {
    const batches = Array.from({ length: 25 }, (_, k) => batch(k, 100, 1000));
    const { windows, pending } = feed(batches, ONE_SECOND);
    expect(windows.map((w) => [w.startUs - T0, w.endUs - T0])).toEqual([
      [0, 1_000_000],
      [1_000_000, 2_000_000],
    ]);
    for (const w of windows) {
      const first = w.samples[0] ?? -1;
      expect(Array.from(w.samples)).toEqual(Array.from({ length: 1000 }, (_, i) => first + i));
    }
    // Half a window waits for the rest.
    expect(pending?.samples.length).toBe(500);
    expect((pending?.startUs ?? 0) - T0).toBe(2_000_000);
  });

  it('splits a batch that overruns the window, the rest starting the next one', () => {
    // 700-sample batches at 1 kHz into 1 s windows: 700, 1400 → window + 400, 1100 → window + 100.
    const { windows, pending } = feed(
      [0, 1, 2].map((k) => batch(k, 700, 1000)),
      ONE_SECOND,
    );
    expect(windows.map((w) => [w.startUs - T0, w.samples[0]])).toEqual([
      [0, 0],
      [1_000_000, 1000],
    ]);
    expect(pending?.samples[0]).toBe(2000);
  });

  it('joins short batches until a window can be analysed', () => {
    const { windows } = feed(
      Array.from({ length: 13 }, (_, k) => batch(k, 10, 10)),
      BATCH,
    );
    expect(windows).toHaveLength(2);
    expect(windows[0]?.samples.length).toBe(MIN_WINDOW_SAMPLES);
    expect((windows[1]?.startUs ?? 0) - T0).toBe(6_400_000);
  });

  it('tolerates the microsecond rounding of each batch start (1/3 ms samples)', () => {
    const batches = Array.from({ length: 9 }, (_, k) => batch(k, 1000, 3000));
    const { windows, dropped } = feed(batches, ONE_SECOND);
    expect(dropped).toBe(0);
    expect(windows).toHaveLength(3);
  });

  it.each([
    ['a gap', batch(12, 100, 1000)],
    ['an overlap', batch(3, 100, 1000)],
    ['another rate', { ...batch(5, 100, 1000), rateHz: 2000 }],
  ])('drops the pending samples on %s and starts again from the batch', (_name, next) => {
    const first = feed(
      [0, 1, 2, 3, 4].map((k) => batch(k, 100, 1000)),
      ONE_SECOND,
    );
    const out = accumulate(first.pending, next, ONE_SECOND);
    expect(out.dropped).toBe(true);
    expect(out.windows).toEqual([]);
    expect(out.pending?.startUs).toBe(next.startUs);
    expect(out.pending?.samples.length).toBe(100);
  });
});
