// `get rules`, `set rule`, `get fleet` and the alarm filters: what is sent, what is printed,
// and bad usage refused with exit 2 before any request.
import { describe, expect, it } from 'vitest';
import {
  defaultConfigPath,
  readConfig,
  writeConfig,
  writeContext,
} from '../../../internal/iotctl-config/index.js';
import type { AlarmRule, Fleet } from '../api-types.js';
import { runCli } from '../program.js';
import { FakeClient, ago, testDeps } from '../test-support.js';

async function loggedIn(client: FakeClient) {
  const deps = testDeps(client);
  const path = defaultConfigPath(deps.env);
  await writeContext(path, 'local', { api: 'https://from-context:1' }, { makeCurrent: true });
  const config = await readConfig(path);
  await writeConfig(path, {
    ...config,
    contexts: { local: { ...config.contexts.local, token: 'token', username: 'admin' } },
  });
  return deps;
}

async function run(argv: string[], client = new FakeClient()) {
  const deps = await loggedIn(client);
  const code = await runCli(argv, deps);
  return { code, stdout: deps.stdout.text, stderr: deps.stderr.text, client };
}

const bearingRule: AlarmRule = {
  rule: 'bearing-fault',
  description: 'a bearing defect diagnosed',
  enabled: true,
  threshold: null,
  unit: null,
  raiseAfterSeconds: 5,
  clearAfterSeconds: 10,
  severity: 'major',
  action: 'reduce-speed',
  overridden: ['raiseAfterSeconds', 'action'],
};

describe('set rule', () => {
  it('sends the flags as the PATCH body, default as null', async () => {
    const client = new FakeClient().on('PATCH /targets/pump/rules/bearing-fault', bearingRule);
    const result = await run(
      [
        'set',
        'rule',
        'pump',
        'bearing-fault',
        '--action',
        'reduce-speed',
        '--raise-after',
        '5s',
        '--severity',
        'default',
        '--disable',
      ],
      client,
    );
    expect(result.code).toBe(0);
    expect(client.calls.at(-1)?.body).toEqual({
      enabled: false,
      raiseAfterSeconds: 5,
      severity: null,
      action: 'reduce-speed',
    });
    expect(result.stdout).toMatch(
      /^bearing-fault +yes +— +5s +10s +major +reduce-speed +raiseAfterSeconds,action$/m,
    );
  });

  it.each([
    [
      'an unknown rule',
      ['set', 'rule', 'pump', 'vibration', '--enable'],
      /Must be one of iso-zone-c/,
    ],
    [
      'a threshold on a rule without one',
      ['set', 'rule', 'pump', 'bearing-fault', '--threshold', '3'],
      /--threshold: bearing-fault takes none/,
    ],
    [
      'a threshold out of range',
      ['set', 'rule', 'pump', 'offline', '--threshold', '0.5'],
      /--threshold: must be 1\.\.604800 s/,
    ],
    [
      'a threshold that is no number',
      ['set', 'rule', 'pump', 'anomaly', '--threshold', 'high'],
      /Must be a number/,
    ],
    [
      'a bad duration',
      ['set', 'rule', 'pump', 'anomaly', '--raise-after', '3 days'],
      /Must be a duration/,
    ],
    [
      'a bad severity',
      ['set', 'rule', 'pump', 'anomaly', '--severity', 'high'],
      /Allowed choices are critical, major, minor, warning, default/,
    ],
    [
      'both --enable and --disable',
      ['set', 'rule', 'pump', 'anomaly', '--enable', '--disable'],
      /--enable or --disable, not both/,
    ],
    ['nothing to set', ['set', 'rule', 'pump', 'anomaly'], /nothing to set/],
  ])('refuses %s with exit 2 and the usage line', async (_what, argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/usage: iotctl set rule \[options\] <target> <rule>/);
    expect(result.client.calls).toEqual([]);
  });
});

describe('get rules, get fleet, get alarms', () => {
  it('lists a target’s rules', async () => {
    const client = new FakeClient().on('GET /targets/pump/rules', { items: [bearingRule] });
    const result = await run(['get', 'rules', 'pump'], client);
    expect(result.stdout.split('\n')[0]).toMatch(
      /^RULE +ENABLED +THRESHOLD +RAISE AFTER +CLEAR AFTER +SEVERITY +ACTION +SET HERE$/,
    );
  });

  it('summarises the fleet and lists each sensor', async () => {
    const fleet: Fleet = {
      sensors: 2,
      online: 1,
      stale: 0,
      offline: 1,
      asleep: 0,
      silentOverTenMinutesShare: 0.5,
      items: [
        {
          serial: 'AAD-1123',
          target: 'press',
          state: 'awake',
          connectivity: 'online',
          lastSeen: ago(1000),
          lastBatchAt: ago(1000),
          meanBatchIntervalSeconds: 1,
          firstSeen: ago(7_200_000),
          lifespanSeconds: 7199,
          offlineAfterSeconds: 600,
        },
        {
          serial: 'AAD-1124',
          target: null,
          state: 'awake',
          connectivity: 'offline',
          lastSeen: ago(3_600_000),
          lastBatchAt: null,
          meanBatchIntervalSeconds: null,
          firstSeen: ago(7_200_000),
          lifespanSeconds: 3600,
          offlineAfterSeconds: 600,
        },
      ],
    };
    const result = await run(['get', 'fleet'], new FakeClient().on('GET /fleet', fleet));
    expect(result.stdout.split('\n').slice(0, 4)).toEqual([
      '2 sensors: 1 online, 0 stale, 1 offline (0 asleep); 50% silent > 10 min',
      'SERIAL     STATE   CONNECTIVITY   TARGET   LAST SEEN   BATCH EVERY   LIFESPAN',
      'AAD-1123   awake   online         press    1s                1.00s         1h',
      'AAD-1124   awake   offline        —        1h                    —         1h',
    ]);
  });

  it('passes the alarm filters as the query', async () => {
    const client = new FakeClient().on('GET /alarms', { items: [] });
    const result = await run(
      [
        'get',
        'alarms',
        '--state',
        'active',
        '--severity',
        'major',
        '--sensor',
        'AAD-1123',
        '--target',
        'press',
      ],
      client,
    );
    expect(result.code).toBe(0);
    expect(client.calls.at(-1)?.query).toEqual({
      all: undefined,
      state: 'active',
      severity: 'major',
      sensor: 'AAD-1123',
      target: 'press',
    });
    expect(result.stderr).toBe('No active alarms found.\n');
  });
});
