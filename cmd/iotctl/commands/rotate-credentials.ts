// `iotctl rotate-credentials SERIAL` (admin): new broker credentials for a device, printed
// once; the old password stops working and the device's open connections are closed at once.
import type { Command } from 'commander';
import type { DeviceCredentials } from '../api-types.js';
import { parseSerial } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { writeDeviceCredentials } from '../device-credentials-view.js';
import { outputOption, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';

export function registerRotateCredentials(program: Command, deps: CliDeps): void {
  program
    .command('rotate-credentials')
    .description("replace a device's broker password; the old one stops working now (admin)")
    .argument('<serial>', 'the sensor', parseSerial)
    .addOption(outputOption())
    .action((serial: string, opts: { output: OutputFormat }, cmd: Command) =>
      withClient(cmd, deps, (run) => runRotateCredentials({ serial, ...opts }, run)),
    );
}

export async function runRotateCredentials(
  options: { serial: string; output: OutputFormat },
  deps: RunDeps,
): Promise<void> {
  const credentials = await deps.client.post<DeviceCredentials>(
    `/sensors/${encodeURIComponent(options.serial)}/credentials`,
  );
  writeDeviceCredentials(credentials, options.output, deps);
}
