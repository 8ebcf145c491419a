import { describe, expect, it } from 'vitest';
import type { Alarm, Feature, Sensor } from '../api-types.js';
import { newLiveView, renderLiveView, sparkline } from '../live-view.js';
import { FakeClient, NOW, ago, capture } from '../test-support.js';
import { runWatch } from './watch.js';

const sensor: Sensor = {
  serial: 'AAD-1124',
  state: 'awake',
  sampleFrequencyHz: 3200,
  desiredState: null,
  desiredSampleFrequencyHz: null,
  target: 'compressor-2',
  lastSeen: ago(1000),
  connectivity: 'online',
  samplesLastMinute: 192_000,
  firmwareVersion: '1.4.2',
  registeredAt: ago(3_600_000),
};

const feature = (secondsAgo: number, rms: number, over: Partial<Feature> = {}): Feature => ({
  windowStart: ago((secondsAgo + 1) * 1000),
  windowEnd: ago(secondsAgo * 1000),
  sampleRateHz: 3200,
  accelerationRmsG: rms,
  accelerationPeakG: rms * 3,
  crestFactor: 3,
  kurtosis: 3.1,
  velocityRmsMmS: 2.1,
  isoClass: 'group2-rigid',
  isoZone: 'B',
  dominantHz: 49.6,
  diagnosis: null,
  diagnosisEvidence: null,
  anomalyScore: 1.2,
  baselineStatus: 'ready',
  bpfoStrength: 1.1,
  bpfiStrength: 0.9,
  bsfStrength: 1,
  ftfStrength: 1,
  ...over,
});

const alarm: Alarm = {
  id: '17',
  serial: 'AAD-1124',
  target: 'compressor-2',
  rule: 'bearing-fault',
  severity: 'major',
  state: 'active',
  acknowledged: false,
  message: 'bearing_outer_race: BPFO 12×',
  diagnosis: 'bearing_outer_race',
  value: 1,
  peakValue: 1,
  raisedAt: ago(5000),
  lastSeenAt: ago(1000),
  clearedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  action: { type: 'reduce-speed', status: 'delivered', reason: 'ok', attempts: 1, updatedAt: null },
  history: [],
};

describe('sparkline', () => {
  it.each([
    [[], ''],
    [[1, 1, 1], '▁▁▁'],
    [[0, 1, 2, 3, 4, 5, 6, 7], '▁▂▃▄▅▆▇█'],
    [[2, 0, 1], '█▁▅'],
  ])('%j → %s', (values, line) => expect(sparkline(values)).toBe(line));
});

describe('renderLiveView', () => {
  it('shows levels, zone, bearing lines, the last minute of RMS and the open alarms', () => {
    const windows = [feature(70, 9), feature(3, 0.1), feature(2, 0.2), feature(1, 0.4, OUTER)];
    const text = renderLiveView(newLiveView(sensor, windows, [alarm]), NOW);
    expect(text.split('\n')).toEqual([
      'AAD-1124  target compressor-2  awake  online  last seen 1s ago',
      'RMS 0.400 g   velocity 2.10 mm/s   zone C (group2-rigid)',
      'crest 3.00   kurtosis 3.10   dominant 49.6 Hz   anomaly 1.2 (ready)',
      'bearing  BPFO 12.1  BPFI 0.9  BSF 1.0  FTF 1.0   diagnosis bearing_outer_race',
      // The window of 70 s ago is outside the minute.
      'RMS, last minute  ▁▃█  (3 windows, window 1s ago)',
      'alarms: 1 open',
      '  17  major  bearing-fault  active  5s ago  bearing_outer_race: BPFO 12×  [reduce-speed delivered]',
      '',
    ]);
  });
});

const OUTER = { diagnosis: 'bearing_outer_race', bpfoStrength: 12.1, isoZone: 'C' as const };

describe('watch', () => {
  it('redraws on each event of the stream, and ends on Ctrl-C', async () => {
    const interrupt = new AbortController();
    const client = new FakeClient()
      .on('GET /sensors/AAD-1124', sensor)
      .on('GET /sensors/AAD-1124/features', { items: [feature(2, 0.2)] })
      .on('GET /alarms', { items: [] });
    client.streams = async function* (signal) {
      yield {
        type: 'feature',
        id: '',
        data: JSON.stringify({ serial: 'AAD-1124', feature: feature(1, 0.4, OUTER) }),
      };
      yield { type: 'alarm', id: '', data: JSON.stringify(alarm) };
      yield { type: 'alarm', id: '', data: JSON.stringify({ ...alarm, state: 'cleared' }) };
      // The stream stays open until Ctrl-C closes it.
      const closed = new Promise((resolve) => signal?.addEventListener('abort', resolve));
      interrupt.abort();
      await closed;
    };
    const stdout = Object.assign(capture(), { isTTY: true });
    const deps = { stdout, stderr: capture(), client, now: () => NOW, signal: interrupt.signal };
    await runWatch({ serial: 'AAD-1124', output: 'table', pollIntervalMs: 1 }, deps);
    const frames = stdout.text.split('\x1b[H\x1b[2J').filter(Boolean);
    expect(frames).toHaveLength(4);
    expect(frames[0]).toContain('alarms: none open');
    expect(frames[1]).toContain('diagnosis bearing_outer_race');
    expect(frames[2]).toContain('17  major  bearing-fault  active');
    expect(frames[3]).toContain('alarms: none open');
    expect(client.calls.find((c) => c.method === 'GET' && c.path === '/alarms')?.query).toEqual({
      sensor: 'AAD-1124',
    });
  });
});
