// The eval's result: one row per recording, as a table for people or JSON for tools.
import type { Expected } from './manifest.js';
import type { RecordingScore } from './score.js';

export interface EvalRow extends RecordingScore {
  readonly file: string;
  readonly machine: string;
  readonly expected: Expected;
  readonly serial: string;
}

export function formatJson(rows: readonly EvalRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

export function formatTable(rows: readonly EvalRow[]): string {
  const header = [
    'file',
    'expected',
    'diagnosed',
    'match',
    'first diagnosis (s)',
    'false diagnoses',
    'windows after onset',
  ];
  const lines = rows.map((r) => [
    r.file,
    r.expected,
    r.diagnosed,
    r.diagnosed === r.expected ? 'yes' : 'no',
    r.secondsToFirstDiagnosis === null ? '-' : r.secondsToFirstDiagnosis.toFixed(1),
    `${r.falseDiagnoses} of ${r.healthyWindows}`,
    Object.entries(r.windowsAfterOnset)
      .sort(([, a], [, b]) => b - a)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  const row = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[row(header), ...lines.map(row)].join('\n')}\n`;
}
