// `iotctl get deadletters [--samples N] [--reason P]`: the dead-letter queue by queue and
// reason, with a few samples; `iotctl deadletters replay --reason P [--queue Q]`: put the
// dead letters whose cause is fixed back on their queue. Platform administrators only.
import type { Command } from 'commander';
import type { DeadLetters, ReplayResult } from '../api-types.js';
import { positiveInteger } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { outputOption, writeJson, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';
import { NONE, renderTable } from '../table.js';

/** The API's own cap on samples (internal/api-contract MAX_DEAD_LETTER_SAMPLES). */
const MAX_SAMPLES = 100;

export interface GetDeadLettersOptions {
  samples?: number;
  reason?: string;
  output: OutputFormat;
}

export interface ReplayOptions {
  reason: string;
  queue?: string;
  output: OutputFormat;
}

/** Adds `deadletters` under `iotctl get`. */
export function registerGetDeadLetters(get: Command, deps: CliDeps): void {
  get
    .command('deadletters')
    .description('dead letters by queue and reason (platform administrators)')
    .option('--samples <n>', 'also show the first N dead letters', positiveInteger(MAX_SAMPLES))
    .option('--reason <prefix>', 'only dead letters whose reason starts with this')
    .addOption(outputOption())
    .action((opts: GetDeadLettersOptions, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetDeadLetters(opts, run)),
    );
}

export function registerDeadLetters(program: Command, deps: CliDeps): void {
  const deadletters = program
    .command('deadletters')
    .description('the dead-letter queue: replay the dead letters whose cause is fixed');
  deadletters
    .command('replay')
    .description('put dead letters back on the queue they came from (platform administrators)')
    .requiredOption('--reason <prefix>', 'replay the dead letters whose reason starts with this')
    .option('--queue <queue>', 'only those that came from this queue')
    .addOption(outputOption())
    .action((opts: ReplayOptions, cmd: Command) =>
      withClient(cmd, deps, (run) => runReplayDeadLetters(opts, run)),
    );
}

export async function runGetDeadLetters(
  options: GetDeadLettersOptions,
  deps: RunDeps,
): Promise<void> {
  const result = await deps.client.get<DeadLetters>('/deadletters', {
    query: { samples: options.samples, reason: options.reason },
  });
  if (options.output === 'json') return writeJson(deps.stdout, result);
  const more = result.truncated ? ' (more than one look reads; counts are partial)' : '';
  deps.stdout.write(`${result.total} dead letters${more}\n`);
  if (result.groups.length > 0) {
    deps.stdout.write(
      renderTable(
        [
          { header: 'COUNT', value: (g) => String(g.count), align: 'right' },
          { header: 'QUEUE', value: (g) => g.queue || NONE },
          { header: 'REASON', value: (g) => g.reason },
        ],
        result.groups,
      ),
    );
  }
  if (result.samples.length > 0) {
    deps.stdout.write('\n');
    deps.stdout.write(
      renderTable(
        [
          { header: 'DEAD-LETTERED', value: (s) => s.deadLetteredAt ?? NONE },
          { header: 'ROUTING KEY', value: (s) => s.routingKey },
          { header: 'BYTES', value: (s) => String(s.bytes), align: 'right' },
          { header: 'REASON', value: (s) => s.reason },
        ],
        result.samples,
      ),
    );
  }
}

export async function runReplayDeadLetters(options: ReplayOptions, deps: RunDeps): Promise<void> {
  const result = await deps.client.post<ReplayResult>('/deadletters/replay', {
    reason: options.reason,
    ...(options.queue === undefined ? {} : { queue: options.queue }),
  });
  if (options.output === 'json') return writeJson(deps.stdout, result);
  const where = Object.entries(result.byQueue)
    .map(([queue, n]) => `${n} to ${queue}`)
    .join(', ');
  deps.stdout.write(`replayed ${result.replayed}${where ? `: ${where}` : ''}\n`);
}
