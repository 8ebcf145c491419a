import { describe, expect, it } from 'vitest';
import { age, humanDuration, printList, relative, writeJson, writeJsonLine } from './output.js';
import { capture, NOW, ago } from './test-support.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('ages', () => {
  it.each([
    [0, '0s'],
    [12 * S + 900, '12s'],
    [59 * S, '59s'],
    [60 * S, '1m'],
    [3 * M + 59 * S, '3m'],
    [59 * M, '59m'],
    [H, '1h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [400 * D, '400d'],
    [800 * D, '2y'],
  ])('%i ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
    expect(age(ago(ms), NOW)).toBe(text);
  });

  it.each([
    [null, '—'],
    [undefined, '—'],
    ['', '—'],
    ['not a time', 'not a time'],
    [new Date(NOW.getTime() + 5 * S).toISOString(), '0s'], // a clock ahead of ours
  ])('age(%j) → %s', (iso, text) => {
    expect(age(iso, NOW)).toBe(text);
  });

  it.each([
    [new Date(NOW.getTime() + 4 * M).toISOString(), 'in 4m'],
    [ago(3 * H), '3h ago'],
    [null, '—'],
  ])('relative(%j) → %s', (iso, text) => {
    expect(relative(iso, NOW)).toBe(text);
  });
});

describe('JSON output', () => {
  const sensor = {
    serial: 'AAD-1123',
    state: 'awake',
    sampleFrequencyHz: 1000,
    desiredState: null,
    target: null,
    extraFieldTheApiAddsLater: { nested: [1, 2] },
  };

  it('is the object exactly as given, same key order, 2-space indent, newline-terminated', () => {
    const out = capture();
    writeJson(out, sensor);
    expect(out.text).toBe(`${JSON.stringify(sensor, null, 2)}\n`);
    expect(JSON.parse(out.text)).toEqual(sensor);
    const again = capture();
    writeJson(again, JSON.parse(out.text));
    expect(again.text).toBe(out.text);
  });

  it('prints a list as a JSON array, empty ones included, and nothing on stderr', () => {
    for (const items of [[sensor, sensor], []]) {
      const streams = { stdout: capture(), stderr: capture() };
      printList(streams, 'json', items, [], 'sensors');
      expect(JSON.parse(streams.stdout.text)).toEqual(items);
      expect(streams.stderr.text).toBe('');
    }
  });

  it('streams one compact object per line', () => {
    const out = capture();
    writeJsonLine(out, sensor);
    writeJsonLine(out, { ...sensor, state: 'asleep' });
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      sensor,
      { ...sensor, state: 'asleep' },
    ]);
  });

  it('an empty table says so on stderr and leaves stdout empty', () => {
    const streams = { stdout: capture(), stderr: capture() };
    printList(streams, 'table', [], [{ header: 'X', value: String }], 'sensors');
    expect(streams.stdout.text).toBe('');
    expect(streams.stderr.text).toBe('No sensors found.\n');
  });
});
