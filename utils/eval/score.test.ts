import { describe, expect, it } from 'vitest';
import { scoreRecording, type ScoredWindow } from './score.js';

const T0 = Date.UTC(2026, 10, 30);
/** One-second windows from T0, each analysed `lagS` after it ends. */
const windows = (diagnoses: (string | null)[], lagS = 0.5): ScoredWindow[] =>
  diagnoses.map((diagnosis, i) => ({
    startMs: T0 + i * 1000,
    diagnosis,
    analysedMs: T0 + (i + 1 + lagS) * 1000,
  }));

describe('scoreRecording', () => {
  it('a fault after the onset: the majority, the time to the first, healthy windows apart', () => {
    const w = windows([
      null,
      null,
      'looseness',
      null,
      null,
      'bearing_outer_race',
      ...Array<string>(5).fill('bearing_inner_race'),
    ]);
    expect(scoreRecording(w, T0 + 4000)).toEqual({
      diagnosed: 'bearing_inner_race',
      secondsToFirstDiagnosis: 2.5, // window 5 (1 s after the onset) ends at 6 s, stored 0.5 s later
      falseDiagnoses: 1,
      windowsAfterOnset: { none: 1, bearing_outer_race: 1, bearing_inner_race: 5 },
      healthyWindows: 4,
    });
  });

  it('reports none when most windows after the onset say nothing, and null when none does', () => {
    const some = scoreRecording(windows([null, null, 'bearing_ball', null]), T0 + 1000);
    expect(some.diagnosed).toBe('none');
    expect(some.secondsToFirstDiagnosis).toBe(2.5); // window 2 stored at 3.5 s, onset at 1 s
    expect(scoreRecording(windows([null, null]), T0).secondsToFirstDiagnosis).toBeNull();
  });

  it('a tie goes to none, then alphabetically: the report never claims more than the windows', () => {
    expect(scoreRecording(windows(['imbalance', null]), T0).diagnosed).toBe('none');
    expect(scoreRecording(windows(['looseness', 'imbalance']), T0).diagnosed).toBe('imbalance');
  });

  it('the healthy recording alone: every window counts, as healthy and as after the onset', () => {
    const score = scoreRecording(windows([null, 'looseness', null]), undefined);
    expect(score).toMatchObject({ diagnosed: 'none', falseDiagnoses: 1, healthyWindows: 3 });
    expect(score.secondsToFirstDiagnosis).toBe(2.5);
  });

  it('no windows at all: none, nothing counted', () => {
    expect(scoreRecording([], T0)).toEqual({
      diagnosed: 'none',
      secondsToFirstDiagnosis: null,
      falseDiagnoses: 0,
      windowsAfterOnset: {},
      healthyWindows: 0,
    });
  });
});
