// `iotctl create sensor SERIAL [--target T]` (admin): onboards a real device (POST /sensors)
// and prints, once, what it connects with: the MQTT address, username (= client id =
// serial), password and the CA of the broker's certificate. The device enrols into your
// organization, on the target, when it first registers.
import type { Command } from 'commander';
import type { DeviceCredentials } from '../api-types.js';
import { parseSerial } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { writeDeviceCredentials } from '../device-credentials-view.js';
import { outputOption, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';

export function addCreateSensor(create: Command, deps: CliDeps): void {
  create
    .command('sensor')
    .description('onboard a device and print its broker credentials, once (admin)')
    .argument('<serial>', 'its serial number (also its username and client id)', parseSerial)
    .option('--target <target>', 'the machine or vehicle it is mounted on')
    .addOption(outputOption())
    .action((serial: string, opts: { target?: string; output: OutputFormat }, cmd: Command) =>
      withClient(cmd, deps, (run) => runCreateSensor({ serial, ...opts }, run)),
    );
}

export async function runCreateSensor(
  options: { serial: string; target?: string; output: OutputFormat },
  deps: RunDeps,
): Promise<void> {
  const credentials = await deps.client.post<DeviceCredentials>('/sensors', {
    serial: options.serial,
    ...(options.target === undefined ? {} : { target: options.target }),
  });
  writeDeviceCredentials(credentials, options.output, deps);
}
