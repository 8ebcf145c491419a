import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HEARTBEAT_MS,
  USAGE,
  parseCli,
  resolveRun,
  type RunOptions,
  type SimulationDefaults,
} from './cli.js';

const defaults: SimulationDefaults = {
  sensors: 3,
  frequencyHz: 1000,
  serialPrefix: 'SIM',
  batchIntervalMs: 1000,
  bufferBatches: 600,
};

function run(argv: string[], env: SimulationDefaults = defaults): RunOptions {
  const parsed = parseCli(argv);
  if (parsed.kind !== 'flags') throw new Error(`expected flags, got ${parsed.stderr}`);
  const resolved = resolveRun(parsed.flags, env);
  if (!resolved.ok) throw new Error(resolved.message);
  return resolved.options;
}

/** The exit code and stderr a bad command line ends with, from either half. */
function failure(argv: string[]): { code: number; stderr: string } {
  const parsed = parseCli(argv);
  if (parsed.kind === 'exit') return { code: parsed.code, stderr: parsed.stderr };
  const resolved = resolveRun(parsed.flags, defaults);
  if (resolved.ok) throw new Error('expected a failure');
  return { code: 2, stderr: `${resolved.message}\n${USAGE}\n` };
}

describe('good command lines', () => {
  it('with no flags runs the environment’s fleet', () => {
    expect(run([])).toEqual({
      specs: [
        { serial: 'SIM-0001', sampleRateHz: 1000, mount: 'fixed' },
        { serial: 'SIM-0002', sampleRateHz: 1000, mount: 'fixed' },
        { serial: 'SIM-0003', sampleRateHz: 1000, mount: 'fixed' },
      ],
      batchIntervalMs: 1000,
      bufferBatches: 600,
      heartbeatMs: DEFAULT_HEARTBEAT_MS,
      summaryFile: undefined,
      durationS: undefined,
      provision: false,
      signal: 'exact',
    });
  });

  it.each([
    [
      'explicit sensors',
      ['--sensor', 'AAD-1123:200', '--sensor', 'TRUCK-7:25600:mobile', '--sensor', 'F1:3:fixed'],
      {
        specs: [
          { serial: 'AAD-1123', sampleRateHz: 200, mount: 'fixed' },
          { serial: 'TRUCK-7', sampleRateHz: 25_600, mount: 'mobile' },
          { serial: 'F1', sampleRateHz: 3, mount: 'fixed' },
        ],
      },
    ],
    [
      'a fleet with mobiles',
      ['--sensors', '4', '--frequency', '10', '--serial-prefix', 'BENCH', '--mobile', '2'],
      {
        specs: [
          { serial: 'BENCH-0001', sampleRateHz: 10, mount: 'mobile' },
          { serial: 'BENCH-0002', sampleRateHz: 10, mount: 'mobile' },
          { serial: 'BENCH-0003', sampleRateHz: 10, mount: 'fixed' },
          { serial: 'BENCH-0004', sampleRateHz: 10, mount: 'fixed' },
        ],
      },
    ],
    [
      'everything else',
      [
        '--sensors=1',
        '--batch-interval',
        '250ms',
        '--buffer-batches',
        '20',
        '--heartbeat',
        '1m',
        '--summary-file',
        '/tmp/s.json',
        '--duration',
        '2.5',
        '--provision',
        '--signal',
        'looped',
      ],
      {
        signal: 'looped',
        batchIntervalMs: 250,
        bufferBatches: 20,
        heartbeatMs: 60_000,
        summaryFile: '/tmp/s.json',
        durationS: 2.5,
        provision: true,
      },
    ],
    [
      'fractional Hz',
      ['--sensor', 'S-1:2.5'],
      { specs: [{ serial: 'S-1', sampleRateHz: 2.5, mount: 'fixed' }] },
    ],
  ] as const)('%s', (_name, argv, expected) => {
    expect(run([...argv])).toMatchObject(expected);
  });

  it('puts --rpm, --bearing and --fault on the --sensor before them, or on every sensor', () => {
    const skf6205 = { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 };
    const specs = run([
      '--rpm',
      '1800',
      '--sensor',
      'PRESS-1:6400',
      '--rpm',
      '1480',
      '--bearing',
      'balls=9,ball-mm=7.94,pitch-mm=39.04,angle=0',
      '--fault',
      'bearing-outer@30:1.5',
      '--sensor',
      'COMP-2:1000',
      '--fault',
      'imbalance',
    ]).specs;
    expect(specs).toEqual([
      {
        serial: 'PRESS-1',
        sampleRateHz: 6400,
        mount: 'fixed',
        machine: {
          rpm: 1480,
          bearing: skf6205,
          fault: { kind: 'bearing-outer', onsetS: 30, severity: 1.5 },
        },
      },
      {
        serial: 'COMP-2',
        sampleRateHz: 1000,
        mount: 'fixed',
        machine: { rpm: 1800, fault: { kind: 'imbalance', onsetS: 0, severity: 1 } },
      },
    ]);
    expect(run(['--sensors', '2', '--rpm', '3000']).specs.map((s) => s.machine)).toEqual([
      { rpm: 3000 },
      { rpm: 3000 },
    ]);
    // The angle defaults to 0°: a deep-groove bearing under radial load.
    expect(
      run(['--rpm', '1480', '--bearing', 'pitch-mm=39.04,balls=9,ball-mm=7.94']).specs[0]?.machine,
    ).toEqual({ rpm: 1480, bearing: skf6205 });
  });

  it('puts --replay on the --sensor before it, or on every sensor; only the last may omit @SECONDS', () => {
    const specs = run([
      '--replay',
      'fleet.wav',
      '--sensor',
      'A-1:12000',
      '--replay',
      'healthy.f32@20,fault.f32@2.5,other.f32',
      '--sensor',
      'B-2:12000',
    ]).specs;
    expect(specs.map((s) => s.machine)).toEqual([
      {
        replay: [
          { file: 'healthy.f32', seconds: 20 },
          { file: 'fault.f32', seconds: 2.5 },
          { file: 'other.f32', seconds: undefined },
        ],
      },
      { replay: [{ file: 'fleet.wav', seconds: undefined }] },
    ]);
    expect(run(['--replay', 'a.f32@10']).specs[0]?.machine).toEqual({
      replay: [{ file: 'a.f32', seconds: 10 }],
    });
  });

  it('without machine flags keeps the default signal (no machine on any sensor)', () => {
    expect(run(['--sensor', 'A-1:100', '--signal', 'looped']).specs).toEqual([
      { serial: 'A-1', sampleRateHz: 100, mount: 'fixed' },
    ]);
  });

  it('widens the serial number for fleets of 10 000', () => {
    const specs = run(['--sensors', '10000', '--frequency', '1']).specs;
    expect(specs.at(0)?.serial).toBe('SIM-00001');
    expect(specs.at(-1)?.serial).toBe('SIM-10000');
  });

  it('flags override the environment', () => {
    const env = { ...defaults, sensors: 2, frequencyHz: 50, batchIntervalMs: 500 };
    expect(run([], env).specs.map((s) => s.sampleRateHz)).toEqual([50, 50]);
    expect(run(['--frequency', '7', '--batch-interval', '2s'], env)).toMatchObject({
      specs: [{ sampleRateHz: 7 }, { sampleRateHz: 7 }],
      batchIntervalMs: 2000,
    });
  });

  it('answers --help on stdout with exit code 0', () => {
    const result = parseCli(['--help']);
    expect(result).toMatchObject({ kind: 'exit', code: 0, stderr: '' });
    expect(result.kind === 'exit' && result.stdout).toContain(
      '--sensor <SERIAL:HZ[:fixed|mobile]>',
    );
  });
});

describe('bad command lines exit 2 naming the flag', () => {
  it.each([
    [['--sensor', 'AAD.1123:100'], '--sensor'],
    [['--sensor', 'AAD-1:0'], '--sensor'],
    [['--sensor', 'AAD-1:25601'], '--sensor'],
    [['--sensor', 'AAD-1'], '--sensor'],
    [['--sensor', 'AAD-1:100:flying'], '--sensor'],
    [['--sensor', 'AAD-1:1e3'], '--sensor'],
    [['--sensor', 'A-1:100', '--sensor', 'A-1:200'], '--sensor'],
    [['--signal', 'sine'], '--signal'],
    [['--sensors', '0'], '--sensors'],
    [['--sensors', 'many'], '--sensors'],
    [['--sensors', '10001'], '--sensors'],
    [['--frequency', '0.5'], '--frequency'],
    [['--frequency', 'fast'], '--frequency'],
    [['--serial-prefix', 'a.b'], '--serial-prefix'],
    [['--serial-prefix', '123'], '--serial-prefix'],
    [['--serial-prefix', 'X'.repeat(27)], '--serial-prefix'],
    [['--mobile', '-1'], '--mobile'],
    [['--mobile', '4'], '--mobile'],
    [['--batch-interval', '1'], '--batch-interval'],
    [['--batch-interval', '5ms'], '--batch-interval'],
    [['--batch-interval', '2m'], '--batch-interval'],
    [['--frequency', '25600', '--batch-interval', '3s'], '--batch-interval'],
    [['--buffer-batches', '0'], '--buffer-batches'],
    [['--heartbeat', 'often'], '--heartbeat'],
    [['--duration', '0'], '--duration'],
    [['--duration', '-3'], '--duration'],
    [['--summary-file'], '--summary-file'],
    [['--sensor', 'A-1:100', '--sensors', '3'], '--sensors'],
    [['--sensor', 'A-1:100', '--frequency', '3'], '--frequency'],
    [['--rpm', '0'], '--rpm'],
    [['--rpm', 'fast'], '--rpm'],
    [['--rpm', '100001'], '--rpm'],
    [['--rpm', '1', '--rpm', '2'], '--rpm'],
    [['--sensor', 'A-1:100', '--rpm', '1', '--rpm', '2'], '--rpm'],
    [['--rpm', '1480', '--bearing', 'balls=9'], '--bearing'],
    [['--rpm', '1480', '--bearing', 'balls=9,ball-mm=40,pitch-mm=39'], '--bearing'],
    [['--rpm', '1480', '--bearing', 'balls=9,ball-mm=7,pitch-mm=39,angle=90'], '--bearing'],
    [['--rpm', '1480', '--bearing', 'balls=9,ball-mm=7,pitch-mm=39,colour=2'], '--bearing'],
    [['--rpm', '1480', '--fault', 'melted'], '--fault'],
    [['--rpm', '1480', '--fault', 'imbalance@soon'], '--fault'],
    [['--rpm', '1480', '--fault', 'imbalance:-1'], '--fault'],
    [['--fault', 'imbalance'], '--rpm'],
    [['--bearing', 'balls=9,ball-mm=7.94,pitch-mm=39.04'], '--rpm'],
    [['--rpm', '1480', '--fault', 'bearing-outer@10'], '--bearing'],
    [['--sensor', 'A-1:100', '--fault', 'bearing-inner', '--rpm', '1'], '--bearing'],
    [['--rpm', '1480', '--signal', 'looped'], '--signal'],
    [['--replay', 'a.f32,b.f32'], '--replay'],
    [['--replay', 'a.f32@0,b.f32'], '--replay'],
    [['--replay', 'a.f32@soon'], '--replay'],
    [['--replay', ''], '--replay'],
    [['--replay', 'a.f32', '--replay', 'b.f32'], '--replay'],
    [['--replay', 'a.f32', '--rpm', '1480'], '--rpm'],
    [['--sensor', 'A-1:100', '--replay', 'a.f32', '--fault', 'imbalance'], '--fault'],
    [['--replay', 'a.f32', '--signal', 'looped'], '--replay'],
    [['--bogus'], '--bogus'],
    [['extra'], 'extra'],
  ])('%j names %s', (argv, flag) => {
    const { code, stderr } = failure(argv);
    expect(code).toBe(2);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(flag);
    expect(lines[1]).toBe(USAGE);
  });
});
