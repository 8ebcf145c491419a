// `iotctl get fleet`: how many sensors are online, stale, offline or asleep, the share silent
// for more than ten minutes, and each sensor's batch rhythm and lifespan.
import type { Command } from 'commander';
import { fleetColumns, fleetSummary } from '../alarm-views.js';
import type { Fleet } from '../api-types.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { outputOption, writeJson, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';
import { renderTable } from '../table.js';

export function registerGetFleet(get: Command, deps: CliDeps): void {
  get
    .command('fleet')
    .description('fleet health: connectivity counts, silent share, batch rhythm, lifespans')
    .addOption(outputOption())
    .action((opts: { output: OutputFormat }, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetFleet(opts, run)),
    );
}

export async function runGetFleet(options: { output: OutputFormat }, deps: RunDeps): Promise<void> {
  const fleet = await deps.client.get<Fleet>('/fleet');
  if (options.output === 'json') return writeJson(deps.stdout, fleet);
  deps.stdout.write(fleetSummary(fleet));
  if (fleet.items.length > 0) deps.stdout.write(renderTable(fleetColumns(deps.now()), fleet.items));
}
