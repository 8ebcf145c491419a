// `iotctl create target NAME [--kind] [--rpm] [--bearing] [--iso-class] [--controller]`, and the admin's `create apikey` and `create account`.
import { Option, type Command } from 'commander';
import { ROLES, type Account, type CreatedApiKey, type Target } from '../api-types.js';
import { positiveInteger } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { addMachineOptions, machineBody, type MachineFlags } from '../machine-options.js';
import { outputOption, writeJson, type OutputFormat } from '../output.js';
import { newPassword } from '../new-password.js';
import { addCreateOrganization } from './create-organization.js';
import { addCreateSensor } from './create-sensor.js';
import { withClient } from '../session.js';

interface Output {
  output: OutputFormat;
}

const roleOption = () =>
  new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory();

export function registerCreate(program: Command, deps: CliDeps): void {
  const create = program
    .command('create')
    .description('onboard a sensor, or create a target, an API key, an account or an organization');
  addCreateSensor(create, deps);
  addCreateOrganization(create, deps);

  const target = create
    .command('target')
    .description('create a target (a machine or a vehicle sensors are mounted on)')
    .argument('<name>', 'its name, unique in your organization')
    .addOption(
      new Option('--kind <kind>', 'fixed machine or mobile vehicle')
        .choices(['fixed', 'mobile'])
        .default('fixed'),
    );
  addMachineOptions(target, false)
    .addOption(outputOption())
    .action((name: string, opts: Output & MachineFlags & { kind: string }, cmd: Command) =>
      withClient(cmd, deps, (run) => runCreateTarget({ name, ...opts }, run)),
    );

  create
    .command('apikey')
    .alias('api-key')
    .description('create an API key for scripts (admin); prints the key once, on stdout')
    .argument('<name>', 'what the key is for')
    .addOption(roleOption())
    .option(
      '--expires-in-days <days>',
      'it stops working after this many days',
      positiveInteger(3650),
    )
    .addOption(outputOption())
    .action((name: string, opts: Output & { role: string; expiresInDays?: number }, cmd: Command) =>
      withClient(cmd, deps, (run) => runCreateApiKey({ name, ...opts }, run)),
    );

  create
    .command('account')
    .description('create an account in your organization (admin)')
    .argument('<username>', 'the login name')
    .addOption(roleOption())
    .option('--password-stdin', 'read the password from stdin instead of asking')
    .addOption(outputOption())
    .action(
      (username: string, opts: Output & { role: string; passwordStdin?: boolean }, cmd: Command) =>
        // Inside the session, so a missing login fails before the password is asked for.
        withClient(cmd, deps, async (run) => {
          const password = await newPassword(username, opts.passwordStdin ?? false, deps);
          await runCreateAccount({ username, password, role: opts.role, output: opts.output }, run);
        }),
    );
}

export async function runCreateTarget(
  options: Output & MachineFlags & { name: string; kind: string },
  deps: RunDeps,
): Promise<void> {
  const target = await deps.client.post<Target>('/targets', {
    name: options.name,
    kind: options.kind,
    ...machineBody(options),
  });
  if (options.output === 'json') return writeJson(deps.stdout, target);
  deps.stdout.write(`target ${target.name} created (${target.kind})\n`);
}

export async function runCreateApiKey(
  options: Output & { name: string; role: string; expiresInDays?: number },
  deps: RunDeps,
): Promise<void> {
  const body: Record<string, unknown> = { name: options.name, role: options.role };
  if (options.expiresInDays !== undefined) body.expiresInDays = options.expiresInDays;
  const created = await deps.client.post<CreatedApiKey>('/api-keys', body);
  if (options.output === 'json') return writeJson(deps.stdout, created);
  // The key alone on stdout, so `KEY=$(iotctl create apikey ci --role viewer)` just works.
  deps.stdout.write(`${created.key}\n`);
  deps.stderr.write(
    `API key ${created.name} (id ${created.id}, role ${created.role}) created; ` +
      'it is shown only this once\n',
  );
}

export async function runCreateAccount(
  options: Output & { username: string; password: string; role: string },
  deps: RunDeps,
): Promise<void> {
  const account = await deps.client.post<Account | undefined>('/accounts', {
    username: options.username,
    password: options.password,
    role: options.role,
  });
  if (options.output === 'json') return writeJson(deps.stdout, account ?? {});
  deps.stdout.write(`account ${options.username} created (${options.role})\n`);
}
