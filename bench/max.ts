// The `max` scenario: how much the platform sustains on this machine. Runs of 10 kHz sensors,
// `sensors` more each step, each a whole BenchRun of its own (fresh database, processes and
// ceilings), until a step no longer keeps up: committed below 95 % of what the fleet offered,
// p99 publish→commit over one second, or a sample lost. The answer is the highest step that
// kept up with zero loss, next to the block COPY ceiling measured in that same step.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchOptions } from './options.js';
import type { BenchResult } from './report.js';
import { BenchRun, type RunContext } from './run.js';

/** Committed below this share of the offered load: the platform fell behind. */
export const KEEPS_UP_SHARE = 0.95;
/** p99 publish→commit above this: the backlog, not the pipeline, sets the latency. */
export const KEEPS_UP_P99_MS = 1_000;
/** Steps at most: 100 → 1,000 sensors at the default step, 10 M samples/s offered. */
export const MAX_STEPS = 10;

export interface MaxStep {
  sensors: number;
  offeredSamplesPerSecond: number;
  samplesPerSecond: number;
  copyCeilingSamplesPerSecond: number;
  p99Ms: number;
  lostSamples: number;
  keptUp: boolean;
  result: string;
}

export interface MaxResult {
  scenario: 'max';
  maxSustainedSamplesPerSecond: number;
  /** The block COPY ceiling measured in the best step's own run. */
  copyCeilingSamplesPerSecond: number;
  ratioToCopyCeiling: number;
  steps: MaxStep[];
}

export function keptUp(result: BenchResult, offered: number): boolean {
  return (
    result.samplesPerSecond >= KEEPS_UP_SHARE * offered &&
    result.latencyMs.p99 <= KEEPS_UP_P99_MS &&
    // Negative: more stored than confirmed (PUBACKs lost as the fleet stopped), not a loss.
    result.lostSamples <= 0 &&
    !result.accounting.drainTimedOut
  );
}

export async function runMax(
  options: BenchOptions,
  ctx: RunContext,
  onRun: (run: BenchRun | undefined) => void,
): Promise<MaxResult> {
  const steps: MaxStep[] = [];
  for (let k = 1; k <= MAX_STEPS; k++) {
    const sensors = options.sensors * k;
    const offered = sensors * options.frequencyHz;
    ctx.progress.phase(
      `max: step ${k}, ${sensors} sensors (${offered.toLocaleString('en-US')} samples/s offered)`,
    );
    const run = new BenchRun({ ...options, sensors }, ctx);
    onRun(run);
    const { result, files } = await run.execute();
    onRun(undefined);
    const step: MaxStep = {
      sensors,
      offeredSamplesPerSecond: offered,
      samplesPerSecond: result.samplesPerSecond,
      copyCeilingSamplesPerSecond: result.copyCeilingSamplesPerSecond,
      p99Ms: result.latencyMs.p99,
      lostSamples: result.lostSamples,
      keptUp: keptUp(result, offered),
      result: files.json,
    };
    steps.push(step);
    if (!step.keptUp) break;
  }
  const best = steps.filter((s) => s.keptUp).at(-1);
  const summary: MaxResult = {
    scenario: 'max',
    maxSustainedSamplesPerSecond: best?.samplesPerSecond ?? 0,
    copyCeilingSamplesPerSecond: best?.copyCeilingSamplesPerSecond ?? 0,
    ratioToCopyCeiling:
      best && best.copyCeilingSamplesPerSecond > 0
        ? best.samplesPerSecond / best.copyCeilingSamplesPerSecond
        : 0,
    steps,
  };
  await mkdir(ctx.resultsDir, { recursive: true });
  const file = path.join(
    ctx.resultsDir,
    `max-summary-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
  ctx.stdout(
    `\nmax: ${Math.round(summary.maxSustainedSamplesPerSecond).toLocaleString('en-US')} samples/s ` +
      `sustained with zero loss (${summary.ratioToCopyCeiling.toFixed(2)} × that step's block ` +
      `COPY ceiling)\n${file}\n`,
  );
  return summary;
}
