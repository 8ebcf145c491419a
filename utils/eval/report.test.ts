import { describe, expect, it } from 'vitest';
import { formatJson, formatTable, type EvalRow } from './report.js';

const rows: EvalRow[] = [
  {
    file: 'healthy.f32',
    machine: 'rig',
    expected: 'none',
    serial: 'EVALX-1',
    diagnosed: 'none',
    secondsToFirstDiagnosis: null,
    falseDiagnoses: 0,
    windowsAfterOnset: { none: 120 },
    healthyWindows: 120,
  },
  {
    file: 'ball.f32',
    machine: 'rig',
    expected: 'bearing_ball',
    serial: 'EVALX-2',
    diagnosed: 'none',
    secondsToFirstDiagnosis: 7,
    falseDiagnoses: 0,
    windowsAfterOnset: { bearing_ball: 13, none: 76 },
    healthyWindows: 30,
  },
];

describe('eval report', () => {
  it('prints a table: expected against diagnosed, the most frequent diagnosis first', () => {
    expect(formatTable(rows).split('\n')).toEqual([
      'file         expected      diagnosed  match  first diagnosis (s)  false diagnoses  windows after onset',
      'healthy.f32  none          none       yes    -                    0 of 120         none 120',
      'ball.f32     bearing_ball  none       no     7.0                  0 of 30          none 76, bearing_ball 13',
      '',
    ]);
  });

  it('prints JSON: an array with file, expected, diagnosed, secondsToFirstDiagnosis, falseDiagnoses', () => {
    const parsed = JSON.parse(formatJson(rows)) as EvalRow[];
    expect(parsed).toEqual(rows);
    expect(Object.keys(parsed[0] ?? {})).toEqual(
      expect.arrayContaining([
        'file',
        'expected',
        'diagnosed',
        'secondsToFirstDiagnosis',
        'falseDiagnoses',
      ]),
    );
  });
});
