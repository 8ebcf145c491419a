// `iotctl logs SERIAL [-f]`: a sensor's log lines, oldest first. Following polls
// GET /sensors/:serial/logs?since=<time of the last line> until Ctrl-C, which ends it normally.
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import type { List, LogLine } from '../api-types.js';
import { parseSerial, positiveInteger } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { NetworkError } from '../errors.js';
import { outputOption, writeJson, writeJsonLine, type OutputFormat } from '../output.js';
import { logLine } from '../resource-views.js';
import { withClient } from '../session.js';

export const DEFAULT_POLL_INTERVAL_MS = 2000;
/**
 * The API's most lines per request. It answers the newest `limit` lines after `since`, so a
 * full page means older ones in between were skipped; that takes 500 lines/s at a 2 s poll.
 */
const PAGE = 1000;

export interface LogsOptions {
  serial: string;
  follow: boolean;
  limit?: number;
  output: OutputFormat;
  pollIntervalMs: number;
}

export function registerLogs(program: Command, deps: CliDeps): void {
  program
    .command('logs')
    .description('print a sensor’s log lines, oldest first; -f keeps printing new ones')
    .argument('<serial>', 'the sensor', parseSerial)
    .option('-f, --follow', 'keep polling for new lines until Ctrl-C')
    .option('--limit <n>', 'how many lines to start with (API default 100)', positiveInteger(PAGE))
    .addOption(outputOption())
    .action(
      (
        serial: string,
        opts: { follow?: boolean; limit?: number; output: OutputFormat },
        cmd: Command,
      ) =>
        withClient(cmd, deps, (run) =>
          runLogs(
            {
              serial,
              follow: opts.follow ?? false,
              limit: opts.limit,
              output: opts.output,
              pollIntervalMs: deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
            },
            run,
          ),
        ),
    );
}

export async function runLogs(options: LogsOptions, deps: RunDeps): Promise<void> {
  const path = `/sensors/${encodeURIComponent(options.serial)}/logs`;
  const signal = deps.signal;
  const first = await deps.client.get<List<LogLine>>(path, { query: { limit: options.limit } });
  if (!options.follow) {
    if (options.output === 'json') return writeJson(deps.stdout, first.items);
    for (const line of first.items) deps.stdout.write(`${logLine(line)}\n`);
    return;
  }

  // Following is a stream, so JSON becomes one object per line.
  const print = (line: LogLine) =>
    options.output === 'json'
      ? writeJsonLine(deps.stdout, line)
      : deps.stdout.write(`${logLine(line)}\n`);
  const seen = new Boundary();
  seen.fresh(first.items).forEach(print);
  let failing = false;
  try {
    for (;;) {
      await delay(options.pollIntervalMs, undefined, { signal });
      let items: LogLine[];
      try {
        ({ items } = await deps.client.get<List<LogLine>>(path, {
          query: { since: seen.since, limit: PAGE },
          signal,
        }));
      } catch (error) {
        // Keep following through a network blip; an API answer (401, 404) ends it.
        if (!(error instanceof NetworkError)) throw error;
        if (!failing) deps.stderr.write(`warning: ${error.message}; retrying\n`);
        failing = true;
        continue;
      }
      failing = false;
      if (items.length === PAGE && seen.since !== undefined) {
        deps.stderr.write(
          `warning: over ${PAGE} new lines since the last poll; some were skipped\n`,
        );
      }
      seen.fresh(items).forEach(print);
    }
  } catch (error) {
    if (signal.aborted) return; // Ctrl-C: the normal way to stop following
    throw error;
  }
}

/**
 * Where following has got to. `since` is exclusive, but the database keeps microseconds and the
 * API prints milliseconds, so lines in the last printed millisecond come back on the next poll;
 * they are recognised here and printed once.
 */
class Boundary {
  since: string | undefined;
  #atSince = new Set<string>();

  fresh(items: readonly LogLine[]): LogLine[] {
    const sinceMs = this.since === undefined ? -Infinity : Date.parse(this.since);
    const fresh = items.filter((line) => {
      const ms = Date.parse(line.time);
      return ms > sinceMs || (ms === sinceMs && !this.#atSince.has(key(line)));
    });
    for (const line of fresh) {
      if (line.time !== this.since) {
        this.since = line.time;
        this.#atSince = new Set();
      }
      this.#atSince.add(key(line));
    }
    return fresh;
  }
}

const key = (line: LogLine) => JSON.stringify([line.level, line.message, line.fields]);
