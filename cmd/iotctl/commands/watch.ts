// `iotctl watch SERIAL`: describe the sensor every 2 s and print a line when something an
// operator acts on changed (state, frequency, pending changes, target, connectivity, firmware).
// lastSeen and samplesLastMinute move on every batch, so they alone never make a line.
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import type { Sensor } from '../api-types.js';
import { parseSerial } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { NetworkError } from '../errors.js';
import { outputOption, orNone, writeJsonLine, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';
import { DEFAULT_POLL_INTERVAL_MS } from './logs.js';

export interface WatchOptions {
  serial: string;
  output: OutputFormat;
  pollIntervalMs: number;
}

const WATCHED = [
  ['state', 'state'],
  ['sampleFrequencyHz', 'hz'],
  ['desiredState', 'desired state'],
  ['desiredSampleFrequencyHz', 'desired hz'],
  ['target', 'target'],
  ['connectivity', 'connectivity'],
  ['firmwareVersion', 'firmware'],
] as const satisfies readonly (readonly [keyof Sensor, string])[];

export function registerWatch(program: Command, deps: CliDeps): void {
  program
    .command('watch')
    .description('print a line each time a sensor’s state changes, until Ctrl-C')
    .argument('<serial>', 'the sensor', parseSerial)
    .addOption(outputOption())
    .action((serial: string, opts: { output: OutputFormat }, cmd: Command) =>
      withClient(cmd, deps, (run) =>
        runWatch(
          {
            serial,
            output: opts.output,
            pollIntervalMs: deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
          },
          run,
        ),
      ),
    );
}

export async function runWatch(options: WatchOptions, deps: RunDeps): Promise<void> {
  const path = `/sensors/${encodeURIComponent(options.serial)}`;
  const { signal } = deps;
  let previous: Sensor | undefined;
  let failing = false;
  try {
    for (;;) {
      let sensor: Sensor;
      try {
        sensor = await deps.client.get<Sensor>(path, { signal });
      } catch (error) {
        // A blip in the network should not end a watch that has been running for an hour;
        // an API answer (sensor deleted, token expired) should.
        if (!(error instanceof NetworkError) || previous === undefined) throw error;
        if (!failing) deps.stderr.write(`warning: ${error.message}; retrying\n`);
        failing = true;
        await delay(options.pollIntervalMs, undefined, { signal });
        continue;
      }
      failing = false;
      const line = previous === undefined ? summary(sensor) : changes(previous, sensor);
      if (line !== undefined) {
        if (options.output === 'json') writeJsonLine(deps.stdout, sensor);
        else deps.stdout.write(`${clock(deps.now())}  ${sensor.serial}  ${line}\n`);
      }
      previous = sensor;
      await delay(options.pollIntervalMs, undefined, { signal });
    }
  } catch (error) {
    if (signal.aborted) return; // Ctrl-C: the normal way to stop watching
    throw error;
  }
}

export function summary(s: Sensor): string {
  return WATCHED.map(([key, label]) => `${label} ${orNone(s[key])}`).join(', ');
}

/** `state awake → asleep, hz 1000 → 200`, or undefined when nothing watched changed. */
export function changes(before: Sensor, after: Sensor): string | undefined {
  const changed = WATCHED.filter(([key]) => before[key] !== after[key]).map(
    ([key, label]) => `${label} ${orNone(before[key])} → ${orNone(after[key])}`,
  );
  return changed.length ? changed.join(', ') : undefined;
}

/** Local wall-clock time: the operator compares it with the clock on the wall. */
function clock(now: Date): string {
  return [now.getHours(), now.getMinutes(), now.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}
