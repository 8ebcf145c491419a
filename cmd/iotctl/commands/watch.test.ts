import { describe, expect, it } from 'vitest';
import type { Sensor } from '../api-types.js';
import { FakeClient, NOW, capture } from '../test-support.js';
import { changes, runWatch } from './watch.js';

const base: Sensor = {
  serial: 'AAD-1123',
  state: 'awake',
  sampleFrequencyHz: 1000,
  desiredState: null,
  desiredSampleFrequencyHz: null,
  target: null,
  lastSeen: NOW.toISOString(),
  connectivity: 'online',
  samplesLastMinute: 60_000,
  firmwareVersion: '1.4.2',
  registeredAt: NOW.toISOString(),
};

describe('changes', () => {
  it.each([
    [
      'nothing watched changed',
      { lastSeen: '2024-05-01T12:00:02Z', samplesLastMinute: 5 },
      undefined,
    ],
    ['state', { state: 'asleep' }, 'state awake → asleep'],
    [
      'two at once',
      { desiredState: 'asleep', sampleFrequencyHz: 200 },
      'hz 1000 → 200, desired state — → asleep',
    ],
    ['target assigned', { target: 'press-1' }, 'target — → press-1'],
    ['connectivity', { connectivity: 'stale' }, 'connectivity online → stale'],
  ] as [string, Partial<Sensor>, string | undefined][])('%s', (_name, change, line) => {
    expect(changes(base, { ...base, ...change })).toBe(line);
  });
});

describe('watch', () => {
  it('prints a summary, then a line per change, until Ctrl-C', async () => {
    const interrupt = new AbortController();
    const polls = [base, { ...base, lastSeen: 'later' }, { ...base, state: 'asleep' as const }];
    let n = 0;
    const client = new FakeClient().on('GET /sensors/AAD-1123', () => {
      if (n === polls.length - 1) setTimeout(() => interrupt.abort(), 0);
      return polls[Math.min(n++, polls.length - 1)];
    });
    const deps = {
      stdout: capture(),
      stderr: capture(),
      client,
      now: () => NOW,
      signal: interrupt.signal,
    };
    await runWatch({ serial: 'AAD-1123', output: 'table', pollIntervalMs: 1 }, deps);
    const lines = deps.stdout.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d {2}AAD-1123 {2}state awake, hz 1000, desired state —, desired hz —, target —, connectivity online, firmware 1\.4\.2$/,
    );
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d {2}AAD-1123 {2}state awake → asleep$/);
  });
});
