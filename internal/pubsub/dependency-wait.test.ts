import { describe, expect, it } from 'vitest';
import { WAIT_FIRST_DELAY_MS, WAIT_MAX_DELAY_MS, pause, waitDelayMs } from './dependency-wait.js';

describe('waitDelayMs', () => {
  it.each([
    [0, 250, 500],
    [1, 500, 1000],
    [2, 1000, 2000],
    [3, 2000, 4000],
    [4, 2500, 5000],
    [30, 2500, 5000],
  ])('attempt %i waits between %i and %i ms', (attempt, low, high) => {
    expect(waitDelayMs(attempt, () => 0)).toBe(low);
    expect(waitDelayMs(attempt, () => 1)).toBe(high);
  });

  it('starts at the first delay and never exceeds the cap', () => {
    expect(waitDelayMs(0, () => 1)).toBe(WAIT_FIRST_DELAY_MS);
    expect(waitDelayMs(100, () => 1)).toBe(WAIT_MAX_DELAY_MS);
  });
});

describe('pause', () => {
  it('ends at once when the signal aborts', async () => {
    const stop = new AbortController();
    const started = Date.now();
    const paused = pause(60_000, stop.signal);
    stop.abort();
    await paused;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
