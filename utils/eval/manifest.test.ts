import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest, readManifest } from './manifest.js';
import { planRecordings, TEACH_S } from './run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'iot-eval-manifest-'));
for (const f of ['healthy.f32', 'outer.f32']) writeFileSync(path.join(dir, f), Buffer.alloc(8));

const good = () => ({
  machines: {
    rig: {
      rpm: 1796,
      bearing: { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 },
      isoClass: 'I',
      healthy: 'healthy.f32',
    },
  },
  recordings: [
    { file: 'healthy.f32', sampleRateHz: 12000, machine: 'rig', expected: 'none' },
    { file: 'outer.f32', sampleRateHz: 12000, machine: 'rig', expected: 'bearing_outer_race' },
  ],
});

describe('eval manifest', () => {
  it('reads machines and recordings, files resolved against DIR', () => {
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(good()));
    const manifest = readManifest(dir);
    expect(manifest.machines).toEqual([
      {
        name: 'rig',
        rpm: 1796,
        bearing: { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 },
        isoClass: 'I',
        healthy: path.join(dir, 'healthy.f32'),
      },
    ]);
    expect(manifest.recordings.map((r) => [r.file, r.path, r.expected])).toEqual([
      ['healthy.f32', path.join(dir, 'healthy.f32'), 'none'],
      ['outer.f32', path.join(dir, 'outer.f32'), 'bearing_outer_race'],
    ]);
  });

  it('plays the healthy recording alone and a fault after TEACH_S of it, on sensors of their own', () => {
    const plans = planRecordings(parseManifest(good(), dir), 'X1');
    expect(plans.map((p) => [p.serial, p.replay, p.onsetS])).toEqual([
      ['EVALX1-1', path.join(dir, 'healthy.f32'), undefined],
      [
        'EVALX1-2',
        `${path.join(dir, 'healthy.f32')}@${TEACH_S},${path.join(dir, 'outer.f32')}`,
        TEACH_S,
      ],
    ]);
  });

  const broken: [string, (m: ReturnType<typeof good>) => unknown, RegExp][] = [
    ['not an object', () => [], /must be an object/],
    ['no machines', (m) => ({ ...m, machines: undefined }), /machines must be an object/],
    ['a bad rpm', (m) => ((m.machines.rig.rpm = -1), m), /machines\.rig is not a machine/],
    ['a bad bearing', (m) => ((m.machines.rig.bearing.ballMm = 50), m), /machines\.rig/],
    ['an unknown ISO class', (m) => ((m.machines.rig.isoClass = 'V'), m), /machines\.rig/],
    [
      'a missing healthy file',
      (m) => ((m.machines.rig.healthy = 'gone.f32'), m),
      /machines\.rig\.healthy names .*gone\.f32/,
    ],
    ['no recordings', (m) => ({ ...m, recordings: [] }), /recordings must be a non-empty array/],
    [
      'an unknown machine',
      (m) => ((m.recordings[1]!.machine = 'lathe'), m),
      /recordings\[1\]\.machine/,
    ],
    [
      'an unknown diagnosis',
      (m) => ((m.recordings[1]!.expected = 'rust'), m),
      /recordings\[1\]\.expected/,
    ],
    [
      'a bad rate',
      (m) => ((m.recordings[1]!.sampleRateHz = 0), m),
      /recordings\[1\]\.sampleRateHz/,
    ],
    ['a missing file', (m) => ((m.recordings[1]!.file = 'gone.f32'), m), /recordings\[1\]\.file/],
    [
      'rates that differ from the healthy one',
      (m) => ((m.recordings[1]!.sampleRateHz = 6400), m),
      /one sensor plays both/,
    ],
  ];
  it.each(broken)('refuses %s, naming the field', (_name, breakIt, message) => {
    expect(() => parseManifest(breakIt(good()), dir)).toThrow(ManifestError);
    expect(() => parseManifest(breakIt(good()), dir)).toThrow(message);
  });

  it('names a manifest it cannot read', () => {
    expect(() => readManifest(path.join(dir, 'nowhere'))).toThrow(/manifest\.json \(ENOENT\)/);
  });
});
