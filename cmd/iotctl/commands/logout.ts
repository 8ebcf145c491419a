// `iotctl logout`: forget the context's token. The address and username stay, so the next
// `iotctl login` only asks for the password. (A JWT cannot be revoked; it just expires.)
import type { Command } from 'commander';
import { readConfig, writeConfig } from '../../../internal/iotctl-config/index.js';
import { resolveContext, type GlobalOptions } from '../context.js';
import type { CliDeps, Env, Writer } from '../deps.js';
import { configPathOf, globalsOf } from '../session.js';

export function registerLogout(program: Command, deps: CliDeps): void {
  program
    .command('logout')
    .description('remove the token from the current context (or --context)')
    .action((_opts: unknown, cmd: Command) =>
      runLogout(globalsOf(cmd), {
        configPath: configPathOf(deps),
        env: deps.env,
        stdout: deps.stdout,
      }),
    );
}

export async function runLogout(
  flags: GlobalOptions,
  deps: { configPath: string; env: Env; stdout: Writer },
): Promise<void> {
  const config = await readConfig(deps.configPath);
  const { name } = resolveContext(config, flags, deps.env);
  const entry = config.contexts[name];
  if (entry?.token === undefined) {
    deps.stdout.write(`not logged in (context "${name}")\n`);
    return;
  }
  const { token: _token, ...rest } = entry;
  await writeConfig(deps.configPath, { ...config, contexts: { ...config.contexts, [name]: rest } });
  deps.stdout.write(`logged out (context "${name}")\n`);
}
