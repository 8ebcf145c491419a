// `iotctl delete sensor S [--yes] | target NAME | apikey ID`. Deleting a sensor takes its
// measurements, logs, commands and alarms with it, so it wants the serial typed back, or
// --yes when there is no terminal to ask on.
import type { Command } from 'commander';
import { parseSerial } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { CliError, UsageError } from '../errors.js';
import { promptLine, type PromptIo } from '../prompt.js';
import { withClient } from '../session.js';

const enc = encodeURIComponent;

export function registerDelete(program: Command, deps: CliDeps): void {
  const del = program.command('delete').description('delete a sensor, a target or an API key');

  del
    .command('sensor')
    .description('delete a sensor and all its data (admin); asks you to type the serial')
    .argument('<serial>', 'the sensor', parseSerial)
    .option('-y, --yes', 'do not ask (needed when stdin is not a terminal)')
    .action((serial: string, opts: { yes?: boolean }, cmd: Command) =>
      withClient(cmd, deps, (run) =>
        runDeleteSensor(
          { serial, yes: opts.yes ?? false },
          { ...run, stdin: deps.stdin, stderr: deps.stderr },
        ),
      ),
    );

  del
    .command('target')
    .description('delete a target; its sensors become unassigned')
    .argument('<target>', 'the target')
    .action((name: string, _opts: unknown, cmd: Command) =>
      withClient(cmd, deps, (run) => runDeleteTarget({ name }, run)),
    );

  del
    .command('apikey')
    .alias('api-key')
    .description('revoke an API key (admin)')
    .argument('<id>', 'the key id (see get apikeys)')
    .action((id: string, _opts: unknown, cmd: Command) =>
      withClient(cmd, deps, (run) => runDeleteApiKey({ id }, run)),
    );
}

export async function runDeleteSensor(
  options: { serial: string; yes: boolean },
  deps: RunDeps & Pick<PromptIo, 'stdin'>,
): Promise<void> {
  if (!options.yes) {
    if (!deps.stdin.isTTY) {
      throw new UsageError('deleting a sensor needs --yes when stdin is not a terminal');
    }
    const typed = await promptLine(
      `This deletes ${options.serial} with its measurements, logs, commands and alarms.\n` +
        'Type the serial to confirm: ',
      deps,
    );
    if (typed !== options.serial) {
      throw new CliError('NOT_CONFIRMED', `"${typed}" is not ${options.serial}; nothing deleted`);
    }
  }
  await deps.client.delete(`/sensors/${enc(options.serial)}`);
  deps.stdout.write(`sensor ${options.serial} deleted\n`);
}

export async function runDeleteTarget(options: { name: string }, deps: RunDeps): Promise<void> {
  await deps.client.delete(`/targets/${enc(options.name)}`);
  deps.stdout.write(`target ${options.name} deleted\n`);
}

export async function runDeleteApiKey(options: { id: string }, deps: RunDeps): Promise<void> {
  await deps.client.delete(`/api-keys/${enc(options.id)}`);
  deps.stdout.write(`API key ${options.id} revoked\n`);
}
