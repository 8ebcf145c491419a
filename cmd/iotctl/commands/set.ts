// `iotctl set target NAME [--rpm N] [--bearing SPEC] [--iso-class CLASS] [--controller HOST:PORT]`:
// sets a target's machine parameters (PATCH /targets/:name); `none` clears one, and the flags
// left out stay as they are. sensor-analytics uses the new ones within 10 s.
import type { Command } from 'commander';
import type { Target } from '../api-types.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { UsageError } from '../errors.js';
import { addMachineOptions, machineBody, type MachineFlags } from '../machine-options.js';
import { outputOption, writeJson, type OutputFormat } from '../output.js';
import { targetDetails } from '../resource-views.js';
import { withClient } from '../session.js';
import { addSetAccount } from './set-account.js';
import { registerSetRule } from './rules.js';
import { renderDetails } from '../table.js';

export function registerSet(program: Command, deps: CliDeps): void {
  const set = program
    .command('set')
    .description(
      "set a target's machine parameters or one of its alarm rules, or change an account",
    );
  addSetAccount(set, deps);
  registerSetRule(set, deps);

  const target = set
    .command('target')
    .description(
      "set (or clear with none) a target's running speed, bearing, ISO class, controller",
    )
    .argument('<target>', 'the target');
  addMachineOptions(target, true)
    .addOption(outputOption())
    .action((name: string, opts: MachineFlags & { output: OutputFormat }, cmd: Command) => {
      // Before the session: nothing to send is bad usage, not a failed request.
      if (Object.keys(machineBody(opts)).length === 0) {
        throw new UsageError('nothing to set: give --rpm, --bearing, --iso-class or --controller');
      }
      return withClient(cmd, deps, (run) => runSetTarget({ name, ...opts }, run));
    });
}

export async function runSetTarget(
  options: MachineFlags & { name: string; output: OutputFormat },
  deps: RunDeps,
): Promise<void> {
  const target = await deps.client.patch<Target>(
    `/targets/${encodeURIComponent(options.name)}`,
    machineBody(options),
  );
  if (options.output === 'json') return writeJson(deps.stdout, target);
  deps.stdout.write(renderDetails(targetDetails(target, deps.now())));
}
