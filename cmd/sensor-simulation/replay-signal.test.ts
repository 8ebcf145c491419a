import { describe, expect, it } from 'vitest';
import { ReplaySignal, type ReplaySegment } from './replay-signal.js';

const ramp = (n: number, from: number) => Float32Array.from({ length: n }, (_, i) => from + i);
const segment = (samples: Float32Array, seconds?: number): ReplaySegment => ({
  file: `f${samples[0]}`,
  seconds,
  recording: { samples, rateHz: undefined },
});

/** `total` samples drawn in batches of `batch`, joined. */
function play(signal: ReplaySignal, total: number, batch: number): number[] {
  const out: number[] = [];
  while (out.length < total) out.push(...signal.next(Math.min(batch, total - out.length)));
  return out;
}

describe('ReplaySignal', () => {
  it('loops one recording until stopped, continuous across batches of any length', () => {
    const expected = Array.from({ length: 50 }, (_, i) => i % 7);
    for (const batch of [1, 3, 7, 10, 50]) {
      expect(play(new ReplaySignal([segment(ramp(7, 0))], 10), 50, batch)).toEqual(expected);
    }
  });

  it('plays each recording for its SECONDS at the sensor rate, then the next from its start', () => {
    // 10 Hz: the first (4 samples, looped) plays 1.5 s = 15 samples, the second 0.5 s = 5,
    // the last (3 samples) until stopped; the batch length does not matter.
    const segments = [
      segment(ramp(4, 100), 1.5),
      segment(ramp(6, 200), 0.5),
      segment(ramp(3, 300), 2),
    ];
    const expected = [
      ...Array.from({ length: 15 }, (_, i) => 100 + (i % 4)),
      ...[200, 201, 202, 203, 204],
      ...Array.from({ length: 12 }, (_, i) => 300 + (i % 3)),
    ];
    for (const batch of [1, 4, 10, 32]) {
      expect(play(new ReplaySignal(segments, 10), expected.length, batch)).toEqual(expected);
    }
  });

  it('counts SECONDS across a rate change: 1 s at 10 Hz then at 20 Hz', () => {
    const signal = new ReplaySignal([segment(ramp(100, 0), 1), segment(ramp(5, 500))], 10);
    expect(signal.next(5)).toEqual(ramp(5, 0)); // 0.5 s at 10 Hz
    signal.retune(20);
    expect(signal.next(10)).toEqual(ramp(10, 5)); // 0.5 s more at 20 Hz: the first is done
    expect(signal.next(3)).toEqual(ramp(3, 500));
  });

  it('refuses a segment whose file was not read', () => {
    expect(() => new ReplaySignal([{ file: 'x.f32', seconds: undefined }], 10)).toThrow(
      /not loaded/,
    );
  });
});
