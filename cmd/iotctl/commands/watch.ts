// `iotctl watch SERIAL`: a sensor live, redrawn in place (on a terminal) at every feature
// window, alarm change or connectivity change of the API's event stream (GET /events), until
// Ctrl-C. Without a terminal each redraw is printed below the last; -o json prints each event
// as one JSON line. A dropped stream is re-opened (after the poll interval), and the view
// read again so nothing missed in the gap stays wrong.
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import type { Alarm, Feature, List, Sensor } from '../api-types.js';
import { parseSerial } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { NetworkError } from '../errors.js';
import {
  SPARKLINE_SPAN_MS,
  addFeature,
  newLiveView,
  renderLiveView,
  updateAlarm,
  type LiveView,
} from '../live-view.js';
import { outputOption, writeJsonLine, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';
import { DEFAULT_POLL_INTERVAL_MS } from './logs.js';

/** Cursor home and clear screen: the next frame replaces the last. */
const REDRAW = '\x1b[H\x1b[2J';
/** Windows asked for the sparkline: a minute of one-second windows, and some. */
const SPARKLINE_WINDOWS = 120;

export interface WatchOptions {
  serial: string;
  output: OutputFormat;
  pollIntervalMs: number;
}

export function registerWatch(program: Command, deps: CliDeps): void {
  program
    .command('watch')
    .description(
      'a sensor live: levels, ISO zone, bearing lines, RMS of the last minute, open alarms',
    )
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

async function readView(serial: string, deps: RunDeps): Promise<LiveView> {
  const path = `/sensors/${encodeURIComponent(serial)}`;
  const since = new Date(deps.now().getTime() - SPARKLINE_SPAN_MS).toISOString();
  const [sensor, features, alarms] = await Promise.all([
    deps.client.get<Sensor>(path, { signal: deps.signal }),
    deps.client.get<List<Feature>>(`${path}/features`, {
      query: { since, limit: SPARKLINE_WINDOWS },
      signal: deps.signal,
    }),
    deps.client.get<List<Alarm>>('/alarms', { query: { sensor: serial }, signal: deps.signal }),
  ]);
  return newLiveView(sensor, features.items, alarms.items);
}

export async function runWatch(options: WatchOptions, deps: RunDeps): Promise<void> {
  const { signal } = deps;
  const redraw = deps.stdout.isTTY ? REDRAW : '';
  let view: LiveView | undefined;
  const draw = () => {
    if (options.output === 'table' && view) {
      deps.stdout.write(`${redraw}${renderLiveView(view, deps.now())}${redraw ? '' : '\n'}`);
    }
  };
  try {
    for (;;) {
      try {
        view = await readView(options.serial, deps);
        draw();
        const events = deps.client.events('/events', { query: { serial: options.serial }, signal });
        for await (const event of events) {
          const data = JSON.parse(event.data) as unknown;
          if (options.output === 'json') writeJsonLine(deps.stdout, { type: event.type, data });
          if (event.type === 'feature') addFeature(view, (data as { feature: Feature }).feature);
          else if (event.type === 'alarm') updateAlarm(view, data as Alarm);
          else if (event.type === 'connectivity') {
            const { connectivity } = data as { connectivity: Sensor['connectivity'] };
            view.sensor = { ...view.sensor, connectivity };
          } else continue;
          draw();
        }
      } catch (error) {
        // A blip in the network should not end a watch that has been running for an hour;
        // an API answer (sensor deleted, token expired) should.
        if (!(error instanceof NetworkError) || view === undefined) throw error;
        deps.stderr.write(`warning: ${error.message}; reconnecting\n`);
      }
      await delay(options.pollIntervalMs, undefined, { signal });
    }
  } catch (error) {
    if (signal.aborted) return; // Ctrl-C: the normal way to stop watching
    throw error;
  }
}
