import { describe, expect, it } from 'vitest';
import { machineFromRow } from './machine-directory.js';

const empty = {
  rpm: null,
  bearing_balls: null,
  bearing_ball_mm: null,
  bearing_pitch_mm: null,
  bearing_angle_deg: null,
  iso_class: null,
};
const skf6205 = { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 };

describe('machineFromRow', () => {
  it.each([
    ['no target', undefined, {}],
    ['a target without parameters', empty, {}],
    ['running speed only', { ...empty, rpm: 1480 }, { rpm: 1480 }],
    [
      'everything',
      {
        rpm: 1480,
        bearing_balls: 9,
        bearing_ball_mm: 7.94,
        bearing_pitch_mm: 39.04,
        bearing_angle_deg: 0,
        iso_class: 'group2-rigid',
      },
      { rpm: 1480, bearing: skf6205, isoClass: 'group2-rigid' },
    ],
    [
      'a bearing without its angle (0°)',
      { ...empty, bearing_balls: 9, bearing_ball_mm: 7.94, bearing_pitch_mm: 39.04 },
      { bearing: skf6205 },
    ],
    ['an unknown class, left out', { ...empty, rpm: 900, iso_class: 'V' }, { rpm: 900 }],
  ])('%s', (_name, row, machine) => {
    expect(machineFromRow(row)).toEqual(machine);
  });

  it('keeps only the class when the rest would be refused, and says why', () => {
    const refusals: unknown[] = [];
    const machine = machineFromRow({ ...empty, rpm: -5, iso_class: 'I' }, (error) =>
      refusals.push(error),
    );
    expect(machine).toEqual({ isoClass: 'I' });
    expect(String(refusals[0])).toMatch(/rpm/);
  });
});
