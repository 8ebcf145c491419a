// `iotctl baseline reset SERIAL`: sensor-analytics forgets the sensor's learned healthy state
// and learns it again from the next windows (after a repair, a new bearing, a changed duty),
// then scores against the new one.
import type { Command } from 'commander';
import type { BaselineReset } from '../api-types.js';
import { parseSerial } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { outputOption, writeJson, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';

export function registerBaseline(program: Command, deps: CliDeps): void {
  const baseline = program
    .command('baseline')
    .description("a sensor's learned baseline (what sensor-analytics scores against)");

  baseline
    .command('reset')
    .description('learn the baseline again from the next windows (operator)')
    .argument('<serial>', 'the sensor', parseSerial)
    .addOption(outputOption())
    .action((serial: string, opts: { output: OutputFormat }, cmd: Command) =>
      withClient(cmd, deps, (run) => runBaselineReset({ serial, ...opts }, run)),
    );
}

export async function runBaselineReset(
  options: { serial: string; output: OutputFormat },
  deps: RunDeps,
): Promise<void> {
  const result = await deps.client.post<BaselineReset>(
    `/sensors/${encodeURIComponent(options.serial)}/baseline/reset`,
  );
  if (options.output === 'json') return writeJson(deps.stdout, result);
  deps.stdout.write(
    result.reset
      ? `baseline of ${result.serial} reset; learning again from the next ${result.windows} windows\n`
      : `${result.serial} has no baseline yet (nothing analysed); nothing to reset\n`,
  );
}
