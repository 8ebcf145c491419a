// `iotctl assign SERIAL TARGET`: which machine or vehicle the sensor is mounted on.
import type { Command } from 'commander';
import type { Sensor } from '../api-types.js';
import { parseSerial } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { outputOption, writeJson, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';

export function registerAssign(program: Command, deps: CliDeps): void {
  program
    .command('assign')
    .description('mount a sensor on a target')
    .argument('<serial>', 'the sensor', parseSerial)
    .argument('<target>', 'the target name (see get targets)')
    .addOption(outputOption())
    .action((serial: string, target: string, opts: { output: OutputFormat }, cmd: Command) =>
      withClient(cmd, deps, (run) => runAssign({ serial, target, ...opts }, run)),
    );
}

/** `target: null` unassigns; `unassign` calls this too. */
export async function runAssign(
  options: { serial: string; target: string | null; output: OutputFormat },
  deps: RunDeps,
): Promise<void> {
  const sensor = await deps.client.put<Sensor>(
    `/sensors/${encodeURIComponent(options.serial)}/target`,
    { target: options.target },
  );
  if (options.output === 'json') return writeJson(deps.stdout, sensor);
  deps.stdout.write(
    sensor.target === null
      ? `sensor ${sensor.serial} unassigned\n`
      : `sensor ${sensor.serial} assigned to ${sensor.target}\n`,
  );
}
