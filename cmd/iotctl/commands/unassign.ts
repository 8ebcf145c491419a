// `iotctl unassign SERIAL`: the sensor is no longer mounted on any target.
import type { Command } from 'commander';
import { parseSerial } from '../arguments.js';
import type { CliDeps } from '../deps.js';
import { outputOption, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';
import { runAssign } from './assign.js';

export function registerUnassign(program: Command, deps: CliDeps): void {
  program
    .command('unassign')
    .description('take a sensor off its target')
    .argument('<serial>', 'the sensor', parseSerial)
    .addOption(outputOption())
    .action((serial: string, opts: { output: OutputFormat }, cmd: Command) =>
      withClient(cmd, deps, (run) => runAssign({ serial, target: null, ...opts }, run)),
    );
}
