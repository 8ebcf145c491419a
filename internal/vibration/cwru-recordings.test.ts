// Real bearing-fault recordings (CWRU Bearing Data Center), read from shared/data/cwru beside
// the repository (never copied into it). Locally the test skips when the folder is missing;
// in CI (CI=true) a missing folder fails, so the evaluation cannot silently stop running.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeWindow, type WindowFeatures } from './analyze-window.js';
import {
  ANOMALY_ALERT_SCORE,
  createBaseline,
  DEFAULT_BASELINE_WINDOWS,
  learnBaseline,
  type Baseline,
} from './baseline.js';
import type { DiagnosisKind } from './diagnosis.js';
import { isIsoClass } from './iso-zones.js';
import type { MachineParameters } from './machine.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DATA_DIR = path.resolve(REPO_ROOT, '../shared/data/cwru');
const MISSING = !existsSync(path.join(DATA_DIR, 'manifest.json'));

interface Manifest {
  machines: Record<
    string,
    { rpm: number; bearing: MachineParameters['bearing']; isoClass: string }
  >;
  recordings: {
    file: string;
    sampleRateHz: number;
    machine: string;
    expected: DiagnosisKind | 'none';
  }[];
}

/** The README's sha256 prefixes: the files the expectations below were written for. */
const SHA256_PREFIX: Record<string, string> = {
  normal: '629ae042',
  IR007: 'aaae5857',
  B007: 'ce1a5659',
  OR007: '419c4501',
};

/** The healthy recording is 5 s long; looped, it plays two minutes of 1 s windows. */
const HEALTHY_WINDOWS = 120;

function load(file: string): Float32Array {
  const bytes = readFileSync(path.join(DATA_DIR, file));
  const key = Object.keys(SHA256_PREFIX).find((k) => file.includes(`_${k}`));
  const digest = createHash('sha256').update(bytes).digest('hex');
  expect(
    digest.startsWith(SHA256_PREFIX[key ?? ''] ?? '?'),
    `${file} is not the file the README describes`,
  ).toBe(true);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function loopedWindow(x: Float32Array, start: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = x[(start + i) % x.length] ?? 0;
  return out;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const share = (windows: WindowFeatures[], kind: DiagnosisKind | null): number =>
  windows.filter((w) => (w.diagnosis?.kind ?? null) === kind).length / windows.length;

if (MISSING && process.env.CI === 'true') {
  describe('CWRU recordings', () => {
    it('are present in CI', () => {
      throw new Error(`${DATA_DIR} is missing: CI must check out shared/ beside the repository`);
    });
  });
}

describe.skipIf(MISSING)(
  `CWRU recordings${MISSING ? ` (skipped: ${DATA_DIR} not found)` : ''}`,
  () => {
    const manifest = MISSING
      ? { machines: {}, recordings: [] }
      : (JSON.parse(readFileSync(path.join(DATA_DIR, 'manifest.json'), 'utf8')) as Manifest);
    const machineOf = (name: string): MachineParameters => {
      const m = manifest.machines[name];
      if (m === undefined || !isIsoClass(m.isoClass))
        throw new Error(`manifest: bad machine ${name}`);
      return { rpm: m.rpm, bearing: m.bearing, isoClass: m.isoClass };
    };
    const healthy = manifest.recordings.find((r) => r.expected === 'none');
    const faults = manifest.recordings.flatMap((r) =>
      r.expected === 'none' ? [] : [{ ...r, expected: r.expected }],
    );

    // The healthy run teaches the baseline (its first DEFAULT_BASELINE_WINDOWS windows, one
    // minute) and is then scored against it for the second minute.
    let baseline: Baseline | undefined;
    const healthyWindows: WindowFeatures[] = [];
    const analyseHealthy = (): Baseline => {
      if (baseline !== undefined) return baseline;
      if (healthy === undefined) throw new Error('manifest: no healthy recording');
      const x = load(healthy.file);
      const rate = healthy.sampleRateHz;
      let b = createBaseline({ rateHz: rate });
      for (let w = 0; w < HEALTHY_WINDOWS; w++) {
        const f = analyzeWindow(
          loopedWindow(x, w * rate, rate),
          rate,
          machineOf(healthy.machine),
          b,
        );
        healthyWindows.push(f);
        b = learnBaseline(b, f);
      }
      baseline = b;
      return b;
    };

    it('healthy: no diagnosis in any window, ISO zone A, and a low score once the baseline is learned', () => {
      analyseHealthy();
      expect(healthyWindows.filter((w) => w.diagnosis !== null).map((w) => w.diagnosis)).toEqual(
        [],
      );
      expect(healthyWindows.every((w) => w.isoZone === 'A')).toBe(true);
      const scores = healthyWindows
        .slice(DEFAULT_BASELINE_WINDOWS)
        .map((w) => w.anomalyScore ?? Infinity);
      // The scale: ≈ 1 for the baseline's own kind of window, ANOMALY_ALERT_SCORE (3) for a 25 %
      // change of every feature. Healthy windows must stay below the alert in every window.
      expect(Math.max(...scores)).toBeLessThan(ANOMALY_ALERT_SCORE);
      expect(median(scores)).toBeLessThanOrEqual(1);
      console.log(
        `CWRU healthy: ${HEALTHY_WINDOWS} windows, diagnosis none in all; score median ` +
          `${median(scores).toFixed(2)}, max ${Math.max(...scores).toFixed(2)}`,
      );
    });

    it.each(faults.map((r) => [r.expected, r] as const))('%s recording', (expected, recording) => {
      const b = analyseHealthy();
      const x = load(recording.file);
      const rate = recording.sampleRateHz;
      const windows: WindowFeatures[] = [];
      for (let start = 0; start + rate <= x.length; start += rate) {
        windows.push(
          analyzeWindow(x.subarray(start, start + rate), rate, machineOf(recording.machine), b),
        );
      }
      const scores = windows.map((w) => w.anomalyScore ?? 0);
      const strengths = (defect: 'bpfo' | 'bpfi' | 'bsf') =>
        median(windows.map((w) => w.defects?.[defect].lines[0]?.strength ?? 0)).toFixed(1);
      const counts = new Map<string, number>();
      for (const w of windows)
        counts.set(w.diagnosis?.kind ?? 'none', (counts.get(w.diagnosis?.kind ?? 'none') ?? 0) + 1);
      console.log(
        `CWRU ${recording.file}: ${[...counts].map(([k, n]) => `${k} ${n}/${windows.length}`).join(', ')}; ` +
          `score median ${median(scores).toFixed(1)} (min ${Math.min(...scores).toFixed(1)}); ` +
          `envelope line strength BPFO ${strengths('bpfo')}, BPFI ${strengths('bpfi')}, BSF ${strengths('bsf')}; ` +
          `velocity ${median(windows.map((w) => w.velocityRmsMmS ?? 0)).toFixed(2)} mm/s`,
      );

      // Every fault scores as an anomaly against the healthy baseline, in every window.
      expect(Math.min(...scores)).toBeGreaterThan(ANOMALY_ALERT_SCORE);
      // The README: the ISO velocity zones do not see these faults (a small machine).
      expect(windows.every((w) => w.isoZone === 'A')).toBe(true);
      // Never the wrong bearing part: a race fault is not called the other race or a ball.
      const wrong = new Set<string>(['bearing_outer_race', 'bearing_inner_race', 'bearing_ball']);
      wrong.delete(expected);
      expect(
        windows.filter((w) => wrong.has(w.diagnosis?.kind ?? '')).map((w) => w.diagnosis),
      ).toEqual([]);
      if (expected === 'bearing_ball') {
        // The README calls the ball fault weak ("many published methods miss it"): flagging it
        // as an anomaly (above) is the requirement; its diagnosis is reported, not required.
        return;
      }
      // Race faults: the right race in most windows ("most" taken as a majority).
      expect(share(windows, expected)).toBeGreaterThan(0.5);
    });
  },
);
