// `iotctl create organization NAME --admin USERNAME [--password-stdin]`: a platform
// administrator makes a new organization and its first admin (POST /organizations). The
// admin's password is typed twice without echo, or read from stdin; the new admin logs in
// with `iotctl login USERNAME --organization NAME`.
import type { Command } from 'commander';
import type { NewOrganization } from '../api-types.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { newPassword } from '../new-password.js';
import { outputOption, writeJson, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';

export function addCreateOrganization(create: Command, deps: CliDeps): void {
  create
    .command('organization')
    .alias('org')
    .description('create an organization and its first admin (platform administrator)')
    .argument('<name>', "the organization's name")
    .requiredOption('--admin <username>', 'the login name of its first admin')
    .option('--password-stdin', "read the admin's password from stdin instead of asking")
    .addOption(outputOption())
    .action(
      (
        name: string,
        opts: { admin: string; passwordStdin?: boolean; output: OutputFormat },
        cmd: Command,
      ) =>
        withClient(cmd, deps, async (run) => {
          const password = await newPassword(opts.admin, opts.passwordStdin ?? false, deps);
          await runCreateOrganization(
            { name, admin: opts.admin, password, output: opts.output },
            run,
          );
        }),
    );
}

export async function runCreateOrganization(
  options: { name: string; admin: string; password: string; output: OutputFormat },
  deps: RunDeps,
): Promise<void> {
  const created = await deps.client.post<NewOrganization>('/organizations', {
    name: options.name,
    admin: { username: options.admin, password: options.password },
  });
  if (options.output === 'json') return writeJson(deps.stdout, created);
  deps.stdout.write(
    `organization ${created.name} created; its admin logs in with ` +
      `iotctl login ${created.admin} --organization ${created.name}\n`,
  );
}
