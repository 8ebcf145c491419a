// `DIR/manifest.json` for `npm run eval`, in the format of shared/data/cwru/manifest.json:
// machines (running speed, bearing, ISO class, the healthy recording that teaches a sensor's
// baseline) and labelled recordings (file, rate, machine, the diagnosis expected, `none` for
// healthy). Read and checked as a whole before anything starts: a bad manifest is a usage
// error naming the field, as is a file it names that is not there.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateSampleFrequency, ValidationError } from '../../internal/validation/index.js';
import {
  DIAGNOSIS_KINDS,
  InvalidMachineError,
  validateMachine,
  type BearingGeometry,
  type DiagnosisKind,
  type IsoClass,
} from '../../internal/vibration/index.js';

export type Expected = DiagnosisKind | 'none';

export interface EvalMachine {
  readonly name: string;
  readonly rpm: number;
  readonly bearing: BearingGeometry | undefined;
  readonly isoClass: IsoClass | undefined;
  /** Absolute path of the healthy recording. */
  readonly healthy: string;
}

export interface EvalRecording {
  /** As the manifest gives it (relative to DIR), for the report. */
  readonly file: string;
  /** Absolute path. */
  readonly path: string;
  readonly sampleRateHz: number;
  readonly machine: EvalMachine;
  readonly expected: Expected;
}

export interface Manifest {
  readonly machines: readonly EvalMachine[];
  readonly recordings: readonly EvalRecording[];
}

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly code = 'bad_manifest' as const;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : '');
    throw new ManifestError(`cannot read ${file} (${reason})`, { cause: error });
  }
  return parseManifest(raw, dir);
}

/** Checks a parsed manifest; files resolve against `dir` and must exist. */
export function parseManifest(raw: unknown, dir: string): Manifest {
  const fail = (field: string, message: string): never => {
    throw new ManifestError(`manifest.json: ${field} ${message}`);
  };
  const existing = (field: string, value: unknown): string => {
    if (typeof value !== 'string' || value === '') return fail(field, 'must be a file name');
    const resolved = path.resolve(dir, value);
    if (!existsSync(resolved)) fail(field, `names ${resolved}, which does not exist`);
    return resolved;
  };
  if (!isObject(raw)) return fail('', 'must be an object');
  if (!isObject(raw.machines)) return fail('machines', 'must be an object');
  const machines = new Map<string, EvalMachine>();
  for (const [name, m] of Object.entries(raw.machines)) {
    const field = `machines.${name}`;
    if (!isObject(m)) return fail(field, 'must be an object');
    if (typeof m.rpm !== 'number') fail(`${field}.rpm`, 'must be a number');
    let bearing: BearingGeometry | undefined;
    if (m.bearing !== undefined) {
      if (!isObject(m.bearing)) return fail(`${field}.bearing`, 'must be an object');
      bearing = { angleDeg: 0, ...(m.bearing as Partial<BearingGeometry>) } as BearingGeometry;
    }
    const isoClass = m.isoClass as IsoClass | undefined;
    try {
      validateMachine({ rpm: m.rpm as number, bearing, isoClass });
    } catch (error) {
      if (error instanceof InvalidMachineError) fail(field, `is not a machine: ${error.message}`);
      throw error;
    }
    machines.set(name, {
      name,
      rpm: m.rpm as number,
      bearing,
      isoClass,
      healthy: existing(`${field}.healthy`, m.healthy),
    });
  }
  if (!Array.isArray(raw.recordings) || raw.recordings.length === 0) {
    return fail('recordings', 'must be a non-empty array');
  }
  const recordings = raw.recordings.map((r: unknown, i): EvalRecording => {
    const field = `recordings[${i}]`;
    if (!isObject(r)) return fail(field, 'must be an object');
    const machine = typeof r.machine === 'string' ? machines.get(r.machine) : undefined;
    if (machine === undefined) return fail(`${field}.machine`, 'must name one of machines');
    const expected = r.expected;
    if (expected !== 'none' && !DIAGNOSIS_KINDS.includes(expected as DiagnosisKind)) {
      fail(`${field}.expected`, `must be none or one of ${DIAGNOSIS_KINDS.join(', ')}`);
    }
    let sampleRateHz = NaN;
    try {
      sampleRateHz = validateSampleFrequency(r.sampleRateHz);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      fail(`${field}.sampleRateHz`, `is not a sample rate: ${error.message}`);
    }
    return {
      file: String(r.file),
      path: existing(`${field}.file`, r.file),
      sampleRateHz,
      machine,
      expected: expected as Expected,
    };
  });
  // A fault recording plays after its machine's healthy one on the same sensor, at one rate.
  for (const r of recordings) {
    const healthy = recordings.find((h) => h.path === r.machine.healthy);
    if (healthy !== undefined && healthy.sampleRateHz !== r.sampleRateHz) {
      fail(
        `recordings (${r.file})`,
        `is at ${r.sampleRateHz} Hz but its machine's healthy recording at ` +
          `${healthy.sampleRateHz} Hz; one sensor plays both`,
      );
    }
  }
  return { machines: [...machines.values()], recordings };
}
