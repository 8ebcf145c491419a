// `iotctl login [USERNAME] [--organization ORG] [--password-stdin]`: trade a password for a
// token and keep it, with the username and the API address it belongs to, in the context
// (created if new). Usernames are unique per organization; without --organization it is the
// platform's 'default' one. The password is asked without echo, or read from stdin for
// scripts; it is never stored.
import type { Command } from 'commander';
import { updateConfig } from '../../../internal/iotctl-config/index.js';
import type { LoginResult } from '../api-types.js';
import type { ResolvedContext } from '../context.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { CliError, UsageError } from '../errors.js';
import { relative } from '../output.js';
import { promptLine, promptSecret, readAllStdin } from '../prompt.js';
import { configPathOf, withClient } from '../session.js';

export interface LoginOptions {
  organization?: string;
  username: string;
  password: string;
  context: ResolvedContext;
  configPath: string;
}

export function registerLogin(program: Command, deps: CliDeps): void {
  program
    .command('login')
    .description('log in and store the token in the current context (or --context)')
    .argument('[username]', 'asked for when not given')
    .option('--organization <name>', "your organization (default: the platform's own)")
    .option('--password-stdin', 'read the password from stdin instead of asking')
    .action(
      (
        username: string | undefined,
        opts: { passwordStdin?: boolean; organization?: string },
        cmd: Command,
      ) =>
        withClient(
          cmd,
          deps,
          async (run, context) => {
            const credentials = await askCredentials(
              username,
              opts.passwordStdin ?? false,
              context,
              deps,
            );
            await runLogin(
              {
                ...credentials,
                organization: opts.organization,
                context,
                configPath: configPathOf(deps),
              },
              run,
            );
          },
          { login: true },
        ),
    );
}

export async function runLogin(options: LoginOptions, deps: RunDeps): Promise<LoginResult> {
  const result = await deps.client.post<LoginResult>('/auth/login', {
    ...(options.organization === undefined ? {} : { organization: options.organization }),
    username: options.username,
    password: options.password,
  });
  const { name, api } = options.context;
  await updateConfig(options.configPath, (config) => ({
    ...config,
    currentContext: config.currentContext ?? name,
    contexts: {
      ...config.contexts,
      [name]: { ...config.contexts[name], api, token: result.token, username: result.username },
    },
  }));
  deps.stdout.write(
    `logged in to ${api} as ${result.username} (${result.role}, organization ` +
      `${result.organization}); context "${name}", token expires ${relative(result.expiresAt, deps.now())}\n`,
  );
  return result;
}

async function askCredentials(
  username: string | undefined,
  passwordStdin: boolean,
  context: ResolvedContext,
  deps: CliDeps,
): Promise<{ username: string; password: string }> {
  const io = { stdin: deps.stdin, stderr: deps.stderr, signal: deps.signal };
  if (passwordStdin) {
    if (username === undefined) {
      throw new UsageError('--password-stdin needs the username as an argument');
    }
    return { username, password: await nonEmpty(readAllStdin(deps.stdin)) };
  }
  if (username === undefined) {
    const remembered = context.username;
    const typed = await promptLine(remembered ? `Username [${remembered}]: ` : 'Username: ', io);
    username = typed || remembered;
    if (!username) throw new CliError('EMPTY_USERNAME', 'no username given');
  }
  return { username, password: await nonEmpty(promptSecret('Password: ', io)) };
}

async function nonEmpty(password: Promise<string>): Promise<string> {
  const value = await password;
  if (value === '') throw new CliError('EMPTY_PASSWORD', 'the password is empty');
  return value;
}
