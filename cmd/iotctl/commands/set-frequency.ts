// `iotctl set-frequency SERIAL HZ [--wait]`, also spelled `changesamplefrequency` as
// docs/DESIGN.md promises.
import type { Command } from 'commander';
import { parseHz, parseSerial } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import {
  addSensorCommandOptions,
  runSensorCommand,
  toOptions,
  type SensorCommandFlags,
} from '../sensor-command.js';
import { withClient } from '../session.js';

export function registerSetFrequency(program: Command, deps: CliDeps): void {
  addSensorCommandOptions(
    program
      .command('set-frequency')
      .alias('changesamplefrequency')
      .description("change a sensor's sample frequency")
      .argument('<serial>', 'the sensor', parseSerial)
      .argument('<hz>', 'samples per second, 1-25600', parseHz),
  ).action((serial: string, hz: number, flags: SensorCommandFlags, cmd: Command) =>
    withClient(cmd, deps, (run) => runSetFrequency(serial, hz, flags, run)),
  );
}

export async function runSetFrequency(
  serial: string,
  hz: number,
  flags: SensorCommandFlags,
  deps: RunDeps,
) {
  await runSensorCommand(
    toOptions({ serial, type: 'set_sample_frequency', sampleFrequencyHz: hz }, flags),
    deps,
  );
}
