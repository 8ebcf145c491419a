// What `sleep`, `awake` and `set-frequency` share: issue the command, print its progress, and
// with --wait follow GET /commands/:id/events until the sensor applied it, rejected it, or it
// expired. The exit code follows the outcome, so `iotctl sleep S --wait && …` can be scripted.
import { setTimeout as delay } from 'node:timers/promises';
import { Option, type Command as CommanderCommand } from 'commander';
import type { ApiClient } from './api-client.js';
import { FINAL_STATUSES } from '../../internal/api-contract/index.js';
import type { Command, CommandType } from './api-types.js';
import { durationWithin, formatDurationMs, parseExpiresIn } from './arguments.js';
import type { RunDeps, Writer } from './deps.js';
import {
  ApiResponseError,
  CliError,
  CommandFailedError,
  InterruptedError,
  NetworkError,
  WaitTimeoutError,
} from './errors.js';
import { outputOption, writeJson, type OutputFormat } from './output.js';

export interface SensorCommandOptions {
  serial: string;
  type: CommandType;
  sampleFrequencyHz?: number;
  expiresInSeconds?: number;
  wait: boolean;
  timeoutMs: number;
  output: OutputFormat;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;
/** The stream should only end after a final status; if it ends sooner, open it again after this. */
const RECONNECT_DELAY_MS = 1000;

export async function runSensorCommand(
  options: SensorCommandOptions,
  deps: RunDeps,
): Promise<Command> {
  const body: Record<string, unknown> = { type: options.type };
  if (options.sampleFrequencyHz !== undefined) body.sampleFrequencyHz = options.sampleFrequencyHz;
  if (options.expiresInSeconds !== undefined) body.expiresInSeconds = options.expiresInSeconds;
  const issued = await deps.client.post<Command>(
    `/sensors/${encodeURIComponent(options.serial)}/commands`,
    body,
  );

  const table = options.output === 'table';
  let final = issued;
  if (!options.wait) {
    if (table) deps.stdout.write(`command ${issued.id} ${issued.status}\n`);
    if (table && issued.status === 'queued') {
      deps.stdout.write(
        `(${options.serial} has not subscribed yet; the command goes out when it next announces itself)\n`,
      );
    }
  } else {
    const progress = new Progress(deps.stdout);
    if (table) progress.show(issued);
    final = await waitForFinal(deps.client, issued, options.timeoutMs, deps.signal, (c) => {
      if (table) progress.show(c);
    });
  }
  if (options.output === 'json') writeJson(deps.stdout, final);

  if (final.status === 'rejected') {
    throw new CommandFailedError(
      `${final.serial} rejected command ${final.id}: ${final.reason ?? 'no reason given'}`,
    );
  }
  if (final.status === 'expired') {
    throw new CommandFailedError(`command ${final.id} expired before ${final.serial} applied it`);
  }
  return final;
}

export function isFinal(command: Command): boolean {
  return FINAL_STATUSES.includes(command.status);
}

export async function waitForFinal(
  client: ApiClient,
  issued: Command,
  timeoutMs: number,
  interrupt: AbortSignal,
  onUpdate: (command: Command) => void,
): Promise<Command> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = AbortSignal.any([interrupt, timeout.signal]);
  const path = `/commands/${encodeURIComponent(issued.id)}/events`;
  let latest = issued;
  try {
    while (!isFinal(latest)) {
      try {
        for await (const event of client.events(path, { signal })) {
          if (event.type !== 'command') continue;
          latest = parseCommand(event.data);
          onUpdate(latest);
          if (isFinal(latest)) break;
        }
      } catch (error) {
        // The API took the command: an API restarting (no answer, or a 5xx meanwhile) does
        // not change its fate, so keep waiting until the deadline.
        if (signal.aborted || !isApiAway(error)) throw error;
      }
      if (!isFinal(latest)) await delay(RECONNECT_DELAY_MS, undefined, { signal });
    }
    return latest;
  } catch (error) {
    const still = `command ${latest.id} is still ${latest.status}; see 'iotctl get command ${latest.id}'`;
    if (interrupt.aborted) throw new InterruptedError(`interrupted: ${still}`);
    if (timeout.signal.aborted) {
      throw new WaitTimeoutError(`gave up after ${formatDurationMs(timeoutMs)}: ${still}`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function isApiAway(error: unknown): boolean {
  return (
    error instanceof NetworkError || (error instanceof ApiResponseError && error.status >= 500)
  );
}

function parseCommand(data: string): Command {
  try {
    const command = JSON.parse(data) as Command;
    if (typeof command.id === 'string' && typeof command.status === 'string') return command;
  } catch {
    // reported below
  }
  throw new CliError(
    'BAD_RESPONSE',
    'the command event stream sent something that is not a Command',
  );
}

/**
 * One line per status the command went through: `command 3f2… queued`, `… sent`,
 * `… applied`. Printed from `history`, so a step the stream skipped over still shows.
 */
class Progress {
  readonly #out: Writer;
  #printed = 0;
  constructor(out: Writer) {
    this.#out = out;
  }

  show(command: Command): void {
    const steps = (command.history ?? []).map((h) => ({ status: h.status, reason: h.reason }));
    if (steps.at(-1)?.status !== command.status) {
      steps.push({ status: command.status, reason: command.reason });
    }
    for (const step of steps.slice(this.#printed)) {
      const reason = step.reason ? `: ${step.reason}` : '';
      this.#out.write(`command ${command.id} ${step.status}${reason}\n`);
    }
    this.#printed = Math.max(this.#printed, steps.length);
  }
}

export interface SensorCommandFlags {
  wait?: boolean;
  timeout: number;
  expiresIn?: number;
  output: OutputFormat;
}

/** --wait, --timeout, --expires-in and -o, the same on every command to a sensor. */
export function addSensorCommandOptions(command: CommanderCommand): CommanderCommand {
  return command
    .option('--wait', 'follow the command until the sensor applies or rejects it')
    .addOption(
      new Option('--timeout <duration>', 'with --wait, give up after this long (exit 1)')
        .argParser(durationWithin(1000, 86_400_000, 'between 1s and 24h'))
        .default(DEFAULT_WAIT_TIMEOUT_MS, '60s'),
    )
    .option(
      '--expires-in <duration>',
      'the sensor must apply it within this long, or it expires (API default 5m)',
      parseExpiresIn,
    )
    .addOption(outputOption());
}

export function toOptions(
  base: Pick<SensorCommandOptions, 'serial' | 'type' | 'sampleFrequencyHz'>,
  flags: SensorCommandFlags,
): SensorCommandOptions {
  return {
    ...base,
    expiresInSeconds: flags.expiresIn,
    wait: flags.wait ?? false,
    timeoutMs: flags.timeout,
    output: flags.output,
  };
}
