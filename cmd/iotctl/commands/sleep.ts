// `iotctl sleep SERIAL [--wait]`: the sensor stops measuring but stays connected.
import type { Command } from 'commander';
import { parseSerial } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import {
  addSensorCommandOptions,
  runSensorCommand,
  toOptions,
  type SensorCommandFlags,
} from '../sensor-command.js';
import { withClient } from '../session.js';

export function registerSleep(program: Command, deps: CliDeps): void {
  addSensorCommandOptions(
    program
      .command('sleep')
      .description('stop a sensor measuring (it stays connected and can be woken)')
      .argument('<serial>', 'the sensor', parseSerial),
  ).action((serial: string, flags: SensorCommandFlags, cmd: Command) =>
    withClient(cmd, deps, (run) => runSleep(serial, flags, run)),
  );
}

export async function runSleep(serial: string, flags: SensorCommandFlags, deps: RunDeps) {
  await runSensorCommand(toOptions({ serial, type: 'sleep' }, flags), deps);
}
