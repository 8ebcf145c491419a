// `iotctl awake SERIAL [--wait]`: the sensor measures again at its sample frequency.
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

export function registerAwake(program: Command, deps: CliDeps): void {
  addSensorCommandOptions(
    program
      .command('awake')
      .description('wake a sleeping sensor so it measures again')
      .argument('<serial>', 'the sensor', parseSerial),
  ).action((serial: string, flags: SensorCommandFlags, cmd: Command) =>
    withClient(cmd, deps, (run) => runAwake(serial, flags, run)),
  );
}

export async function runAwake(serial: string, flags: SensorCommandFlags, deps: RunDeps) {
  await runSensorCommand(toOptions({ serial, type: 'awake' }, flags), deps);
}
