// `iotctl features recompute SERIAL --since WHEN [--until WHEN] [--wait]`: sensor-analytics
// rebuilds the sensor's windows in the range from the stored waveform blocks (after an
// algorithm change), replacing the old ones in one transaction. With --wait it follows the
// job until it is done (exit 0) or failed (exit 1 with the reason).
import { setTimeout as delay } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import type { FeatureRecompute } from '../api-types.js';
import {
  durationWithin,
  parseSerial,
  parseTimeBound,
  resolveTimeBound,
  type TimeBound,
} from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { CommandFailedError, WaitTimeoutError } from '../errors.js';
import { outputOption, writeJson, type OutputFormat } from '../output.js';
import { recomputeDetails } from '../resource-views.js';
import { withClient } from '../session.js';
import { renderDetails } from '../table.js';
import { DEFAULT_POLL_INTERVAL_MS } from './logs.js';

/** A day of one-second windows takes about a quarter of an hour (MAX_RECOMPUTE_RANGE_MS). */
export const DEFAULT_RECOMPUTE_TIMEOUT_MS = 30 * 60 * 1000;

export interface RecomputeOptions {
  serial: string;
  since: TimeBound;
  until?: TimeBound;
  wait: boolean;
  timeoutMs: number;
  output: OutputFormat;
  pollIntervalMs: number;
}

export function registerFeatures(program: Command, deps: CliDeps): void {
  const features = program
    .command('features')
    .description("a sensor's analysed windows (list them with 'iotctl get features SERIAL')");

  features
    .command('recompute')
    .description('rebuild the windows of a time range from the stored waveform (operator)')
    .argument('<serial>', 'the sensor', parseSerial)
    .requiredOption(
      '--since <when>',
      'windows from then on: a duration ago (1h, 30m) or an ISO time',
      parseTimeBound,
    )
    .option(
      '--until <when>',
      'windows before then (default now): a duration ago or an ISO time',
      parseTimeBound,
    )
    .option('--wait', 'follow the job until it is done or failed')
    .addOption(
      new Option('--timeout <duration>', 'with --wait, give up after this long (exit 1)')
        .argParser(durationWithin(1000, 86_400_000, 'between 1s and 24h'))
        .default(DEFAULT_RECOMPUTE_TIMEOUT_MS, '30m'),
    )
    .addOption(outputOption())
    .action(
      (
        serial: string,
        opts: {
          since: TimeBound;
          until?: TimeBound;
          wait?: boolean;
          timeout: number;
          output: OutputFormat;
        },
        cmd: Command,
      ) =>
        withClient(cmd, deps, (run) =>
          runFeaturesRecompute(
            {
              serial,
              since: opts.since,
              until: opts.until,
              wait: opts.wait ?? false,
              timeoutMs: opts.timeout,
              output: opts.output,
              pollIntervalMs: deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
            },
            run,
          ),
        ),
    );
}

const isFinished = (job: FeatureRecompute) => job.status === 'done' || job.status === 'failed';

export async function runFeaturesRecompute(
  options: RecomputeOptions,
  deps: RunDeps,
): Promise<void> {
  const now = deps.now();
  let job = await deps.client.post<FeatureRecompute>(
    `/sensors/${encodeURIComponent(options.serial)}/features/recompute`,
    {
      since: resolveTimeBound(options.since, now),
      until: options.until === undefined ? now.toISOString() : resolveTimeBound(options.until, now),
    },
  );
  if (options.wait) {
    const deadline = Date.now() + options.timeoutMs;
    while (!isFinished(job)) {
      if (Date.now() >= deadline) {
        throw new WaitTimeoutError(
          `feature recompute ${job.id} still ${job.status} after --timeout`,
        );
      }
      await delay(options.pollIntervalMs, undefined, { signal: deps.signal });
      job = await deps.client.get<FeatureRecompute>(`/feature-recomputes/${job.id}`);
    }
  }
  if (options.output === 'json') writeJson(deps.stdout, job);
  else deps.stdout.write(renderDetails(recomputeDetails(job)));
  if (job.status === 'failed') {
    throw new CommandFailedError(`feature recompute ${job.id} failed: ${job.error ?? 'no reason'}`);
  }
}
