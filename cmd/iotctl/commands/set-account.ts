// `iotctl set account USERNAME [--role ROLE] [--disabled | --enabled]` (admin): changes an
// account of your organization (PATCH /accounts/:username). A disabled account's tokens and
// API keys stop working at once; nobody can disable or demote themselves.
import { Option, type Command } from 'commander';
import { ROLES, type Account } from '../api-types.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { UsageError } from '../errors.js';
import { outputOption, writeJson, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';

interface SetAccountFlags {
  role?: string;
  disabled?: boolean;
  enabled?: boolean;
  output: OutputFormat;
}

export function addSetAccount(set: Command, deps: CliDeps): void {
  set
    .command('account')
    .description("change an account's role, or disable or enable it (admin)")
    .argument('<username>', 'the account')
    .addOption(new Option('--role <role>', 'its new role').choices(ROLES))
    .addOption(new Option('--disabled', 'refuse its logins, tokens and API keys from now on'))
    .addOption(new Option('--enabled', 'let it log in again').conflicts('disabled'))
    .addOption(outputOption())
    .action((username: string, opts: SetAccountFlags, cmd: Command) => {
      if (opts.role === undefined && !opts.disabled && !opts.enabled) {
        throw new UsageError('nothing to set: give --role, --disabled or --enabled');
      }
      return withClient(cmd, deps, (run) => runSetAccount({ username, ...opts }, run));
    });
}

export async function runSetAccount(
  options: SetAccountFlags & { username: string },
  deps: RunDeps,
): Promise<void> {
  const body: Record<string, unknown> = {};
  if (options.role !== undefined) body.role = options.role;
  if (options.disabled) body.disabled = true;
  if (options.enabled) body.disabled = false;
  const account = await deps.client.patch<Account>(
    `/accounts/${encodeURIComponent(options.username)}`,
    body,
  );
  if (options.output === 'json') return writeJson(deps.stdout, account);
  deps.stdout.write(
    `account ${account.username}: ${account.role}, ${account.disabled ? 'disabled' : 'enabled'}\n`,
  );
}
