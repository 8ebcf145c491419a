// What one recording's windows say, as `npm run eval` reports it. Pure: the windows in, the
// row out, so the rules are tested without a stack.

export interface ScoredWindow {
  /** Device time of the window's start, ms since the epoch. */
  readonly startMs: number;
  readonly diagnosis: string | null;
  /** When analytics stored it (the database's clock), ms since the epoch. */
  readonly analysedMs: number;
}

export interface RecordingScore {
  /** The diagnosis most windows gave after the onset (`none` for no diagnosis). */
  readonly diagnosed: string;
  /** From the onset to the first diagnosed window stored; null when none was. */
  readonly secondsToFirstDiagnosis: number | null;
  /** Windows diagnosed while the healthy recording played. */
  readonly falseDiagnoses: number;
  /** Windows after the onset, by diagnosis. */
  readonly windowsAfterOnset: Readonly<Record<string, number>>;
  /** Windows while the healthy recording played. */
  readonly healthyWindows: number;
}

/**
 * `onsetMs` is where the recording under test took over from the machine's healthy one;
 * undefined when the healthy recording is the one under test, whose windows are then both
 * what "after the onset" means and where false diagnoses are counted.
 */
export function scoreRecording(
  windows: readonly ScoredWindow[],
  onsetMs: number | undefined,
): RecordingScore {
  const healthy = windows.filter((w) => onsetMs === undefined || w.startMs < onsetMs);
  const after = onsetMs === undefined ? windows : windows.filter((w) => w.startMs >= onsetMs);
  const counts: Record<string, number> = {};
  for (const w of after) counts[w.diagnosis ?? 'none'] = (counts[w.diagnosis ?? 'none'] ?? 0) + 1;
  // Most windows wins; a tie goes to `none`, then alphabetically, so a report never claims more
  // than the windows do.
  const [diagnosed = 'none'] = Object.entries(counts)
    .sort(
      ([a, n], [b, m]) =>
        m - n || Number(b === 'none') - Number(a === 'none') || a.localeCompare(b),
    )
    .map(([kind]) => kind);
  const first = after.find((w) => w.diagnosis !== null);
  const from = onsetMs ?? windows[0]?.startMs;
  return {
    diagnosed,
    secondsToFirstDiagnosis:
      first === undefined || from === undefined
        ? null
        : Math.round((first.analysedMs - from) / 100) / 10,
    falseDiagnoses: healthy.filter((w) => w.diagnosis !== null).length,
    windowsAfterOnset: counts,
    healthyWindows: healthy.length,
  };
}
