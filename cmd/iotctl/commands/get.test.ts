import { describe, expect, it } from 'vitest';
import type { Sensor } from '../api-types.js';
import type { RunDeps } from '../deps.js';
import { FakeClient, NOW, ago, capture } from '../test-support.js';
import { runGetCommand, runGetSensors, runGetTargets } from './get.js';

const sensors: Sensor[] = [
  {
    serial: 'AAD-1123',
    state: 'awake',
    sampleFrequencyHz: 1000,
    desiredState: 'asleep',
    desiredSampleFrequencyHz: 1000,
    target: 'press-1',
    lastSeen: ago(12_000),
    connectivity: 'online',
    samplesLastMinute: 60_000,
    firmwareVersion: '1.4.2',
    registeredAt: ago(3 * 86_400_000),
  },
  {
    serial: 'TRUCK-7',
    state: 'asleep',
    sampleFrequencyHz: 25_600,
    desiredState: null,
    desiredSampleFrequencyHz: 200,
    target: null,
    lastSeen: null,
    connectivity: 'offline',
    samplesLastMinute: 0,
    firmwareVersion: null,
    registeredAt: ago(180_000),
  },
];

function deps(client: FakeClient) {
  return {
    stdout: capture(),
    stderr: capture(),
    client,
    now: () => NOW,
    signal: new AbortController().signal,
  } satisfies RunDeps;
}

describe('get sensors', () => {
  it('a table with upper-case headers, ages, — for nothing, pending changes', async () => {
    const d = deps(new FakeClient().on('GET /sensors', { items: sensors }));
    await runGetSensors({ output: 'table' }, d);
    expect(d.stdout.text).toBe(
      'SERIAL     STATE       HZ   PENDING   TARGET    CONNECTIVITY   LAST SEEN   SAMPLES/MIN   FIRMWARE\n' +
        'AAD-1123   awake     1000   asleep    press-1   online         12s               60000   1.4.2\n' +
        'TRUCK-7    asleep   25600   200 Hz    —         offline        —                     0   —\n',
    );
  });

  it('-o json: the array of the API’s objects, unchanged', async () => {
    const d = deps(new FakeClient().on('GET /sensors', { items: sensors }));
    await runGetSensors({ output: 'json' }, d);
    expect(d.stdout.text).toBe(`${JSON.stringify(sensors, null, 2)}\n`);
  });

  it('one sensor: its fields one per line; -o json the object itself', async () => {
    const client = new FakeClient().on('GET /sensors/TRUCK-7', sensors[1]);
    const table = deps(client);
    await runGetSensors({ serial: 'TRUCK-7', output: 'table' }, table);
    expect(table.stdout.text).toContain('DESIRED HZ      200\n');
    expect(table.stdout.text).toContain('LAST SEEN       —\n');
    expect(table.stdout.text).toMatch(/^REGISTERED {6}3m ago \(/m);
    const json = deps(client);
    await runGetSensors({ serial: 'TRUCK-7', output: 'json' }, json);
    expect(JSON.parse(json.stdout.text)).toEqual(sensors[1]);
  });

  it('no sensors: stdout empty, a note on stderr', async () => {
    const d = deps(new FakeClient().on('GET /sensors', { items: [] }));
    await runGetSensors({ output: 'table' }, d);
    expect([d.stdout.text, d.stderr.text]).toEqual(['', 'No sensors found.\n']);
  });
});

describe('get targets', () => {
  const targets = [
    { name: 'press-1', kind: 'fixed', createdAt: ago(7_200_000), sensors: ['AAD-1123', 'AAD-9'] },
    { name: 'truck', kind: 'mobile', createdAt: ago(60_000), sensors: [] },
  ].map((t) => ({ ...t, rpm: null, bearing: null, isoClass: null, controllerAddress: null }));

  it('lists them, or picks one out', async () => {
    const client = new FakeClient().on('GET /targets', { items: targets });
    const all = deps(client);
    await runGetTargets({ output: 'table' }, all);
    expect(all.stdout.text).toBe(
      'NAME      KIND     SENSORS          RPM   BEARING   ISO CLASS   CONTROLLER   AGE\n' +
        'press-1   fixed    AAD-1123,AAD-9     —   —         —           —            2h\n' +
        'truck     mobile   —                  —   —         —           —            1m\n',
    );
    const one = deps(client);
    await runGetTargets({ name: 'truck', output: 'json' }, one);
    expect(JSON.parse(one.stdout.text)).toEqual(targets[1]);
    await expect(runGetTargets({ name: 'nope', output: 'table' }, deps(client))).rejects.toThrow(
      'target "nope" not found',
    );
  });
});

describe('get command', () => {
  it('shows the history, one step a line', async () => {
    const command = {
      id: 'c1',
      serial: 'AAD-1123',
      type: 'set_sample_frequency',
      sampleFrequencyHz: 200,
      status: 'rejected',
      reason: 'busy',
      issuedAt: ago(30_000),
      expiresAt: new Date(NOW.getTime() + 270_000).toISOString(),
      updatedAt: ago(10_000),
      issuedBy: 'admin',
      history: [
        { status: 'queued', reason: null, at: ago(30_000) },
        { status: 'sent', reason: null, at: ago(29_000) },
        { status: 'rejected', reason: 'busy', at: ago(10_000) },
      ],
    };
    const d = deps(new FakeClient().on('GET /commands/c1', command));
    await runGetCommand({ id: 'c1', output: 'table' }, d);
    expect(d.stdout.text).toMatch(/^STATUS {6}rejected$/m);
    expect(d.stdout.text).toMatch(/^EXPIRES {5}in 4m \(/m);
    expect(d.stdout.text).toContain(
      'HISTORY     queued 30s ago\n            sent 29s ago\n            rejected 10s ago: busy\n',
    );
  });
});
