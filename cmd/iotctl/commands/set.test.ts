import { describe, expect, it } from 'vitest';
import type { Feature, Target } from '../api-types.js';
import type { RunDeps } from '../deps.js';
import { FakeClient, NOW, ago, capture } from '../test-support.js';
import { runBaselineReset } from './baseline.js';
import { runCreateTarget } from './create.js';
import { runGetFeatures, runGetTargets } from './get.js';
import { runSetTarget } from './set.js';

function deps(client: FakeClient) {
  return {
    stdout: capture(),
    stderr: capture(),
    client,
    now: () => NOW,
    signal: new AbortController().signal,
  } satisfies RunDeps;
}

const pump: Target = {
  name: 'pump-3',
  kind: 'fixed',
  createdAt: ago(7_200_000),
  sensors: ['AAD-1123'],
  rpm: 1797,
  bearing: { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 },
  isoClass: 'group2-rigid',
  controllerAddress: 'plc-7:50051',
};

describe('targets with machine parameters', () => {
  it('create sends the flags given', async () => {
    const client = new FakeClient().on('POST /targets', pump);
    await runCreateTarget(
      { name: 'pump-3', kind: 'fixed', rpm: 1797, isoClass: 'group2-rigid', output: 'table' },
      deps(client),
    );
    expect(client.calls[0]?.body).toEqual({
      name: 'pump-3',
      kind: 'fixed',
      rpm: 1797,
      isoClass: 'group2-rigid',
    });
  });

  it('set PATCHes only the flags given, none as null, and shows the target', async () => {
    const client = new FakeClient().on('PATCH /targets/pump-3', { ...pump, isoClass: null });
    const d = deps(client);
    await runSetTarget({ name: 'pump-3', rpm: 1797, isoClass: 'none', output: 'table' }, d);
    expect(client.calls[0]?.body).toEqual({ rpm: 1797, isoClass: null });
    expect(d.stdout.text).toBe(
      'NAME         pump-3\n' +
        'KIND         fixed\n' +
        'SENSORS      AAD-1123\n' +
        'RPM          1797\n' +
        'BEARING      9 balls, 7.94/39.04 mm, 0°\n' +
        'ISO CLASS    —\n' +
        'CONTROLLER   plc-7:50051\n' +
        `CREATED      2h ago (${pump.createdAt})\n`,
    );
  });

  it('the targets table shows them', async () => {
    const plain: Target = {
      ...pump,
      name: 'shelf',
      sensors: [],
      rpm: null,
      bearing: null,
      isoClass: null,
      controllerAddress: null,
    };
    const d = deps(new FakeClient().on('GET /targets', { items: [pump, plain] }));
    await runGetTargets({ output: 'table' }, d);
    expect(d.stdout.text).toBe(
      'NAME     KIND    SENSORS     RPM   BEARING                      ISO CLASS      CONTROLLER    AGE\n' +
        'pump-3   fixed   AAD-1123   1797   9 balls, 7.94/39.04 mm, 0°   group2-rigid   plc-7:50051   2h\n' +
        'shelf    fixed   —             —   —                            —              —             2h\n',
    );
  });
});

const window: Feature = {
  windowStart: '2024-05-01T11:59:59.000Z',
  windowEnd: '2024-05-01T12:00:00.000Z',
  sampleRateHz: 1000,
  accelerationRmsG: 0.70712,
  accelerationPeakG: 0.99,
  crestFactor: 1.4142,
  kurtosis: 1.5,
  velocityRmsMmS: 13.803,
  isoClass: 'group2-rigid',
  isoZone: 'C',
  dominantHz: 80.02,
  diagnosis: 'imbalance',
  diagnosisEvidence: '1× 13.8 mm/s',
  anomalyScore: 4.25,
  baselineStatus: 'ready',
  bpfoStrength: null,
  bpfiStrength: null,
  bsfStrength: null,
  ftfStrength: null,
};

describe('get features', () => {
  it('a table, newest first as the API gives them; --since as a duration is sent as a time', async () => {
    const learning: Feature = {
      ...window,
      windowStart: '2024-05-01T11:59:58.000Z',
      velocityRmsMmS: null,
      isoZone: null,
      diagnosis: null,
      anomalyScore: null,
      baselineStatus: 'learning',
    };
    const client = new FakeClient().on('GET /sensors/AAD-1123/features', {
      items: [window, learning],
    });
    const d = deps(client);
    await runGetFeatures({ serial: 'AAD-1123', since: { agoMs: 3_600_000 }, output: 'table' }, d);
    expect(client.calls[0]?.query).toEqual({
      since: '2024-05-01T11:00:00.000Z',
      until: undefined,
      limit: undefined,
    });
    expect(d.stdout.text).toBe(
      'WINDOW                     RMS G   PEAK G   CREST   KURTOSIS   VEL MM/S   ZONE   DOMINANT HZ   DIAGNOSIS   SCORE   BASELINE\n' +
        '2024-05-01T11:59:59.000Z   0.707    0.990    1.41       1.50      13.80   C             80.0   imbalance    4.25   ready\n' +
        '2024-05-01T11:59:58.000Z   0.707    0.990    1.41       1.50          —   —             80.0   —               —   learning\n',
    );
  });

  it('-o json: the API’s objects; an ISO --until is sent as given', async () => {
    const client = new FakeClient().on('GET /sensors/AAD-1123/features', { items: [window] });
    const d = deps(client);
    await runGetFeatures(
      { serial: 'AAD-1123', until: { at: '2024-05-01T00:00:00.000Z' }, limit: 5, output: 'json' },
      d,
    );
    expect(client.calls[0]?.query).toMatchObject({ until: '2024-05-01T00:00:00.000Z', limit: 5 });
    expect(JSON.parse(d.stdout.text)).toEqual([window]);
  });

  it('none: a note on stderr', async () => {
    const d = deps(new FakeClient().on('GET /sensors/AAD-1123/features', { items: [] }));
    await runGetFeatures({ serial: 'AAD-1123', output: 'table' }, d);
    expect([d.stdout.text, d.stderr.text]).toEqual(['', 'No features found.\n']);
  });
});

describe('baseline reset', () => {
  it('says how many windows it learns from, or that there was nothing to reset', async () => {
    const client = new FakeClient().on('POST /sensors/AAD-1123/baseline/reset', {
      serial: 'AAD-1123',
      reset: true,
      windows: 60,
    });
    const d = deps(client);
    await runBaselineReset({ serial: 'AAD-1123', output: 'table' }, d);
    expect(d.stdout.text).toBe(
      'baseline of AAD-1123 reset; learning again from the next 60 windows\n',
    );
    const none = deps(
      new FakeClient().on('POST /sensors/NEW-1/baseline/reset', {
        serial: 'NEW-1',
        reset: false,
        windows: null,
      }),
    );
    await runBaselineReset({ serial: 'NEW-1', output: 'table' }, none);
    expect(none.stdout.text).toBe(
      'NEW-1 has no baseline yet (nothing analysed); nothing to reset\n',
    );
  });
});
