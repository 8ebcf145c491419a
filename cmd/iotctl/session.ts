// From a parsed command line to a ready HTTP client: read the config file, apply --context,
// --api and the IOT_* variables, refuse early when there is no address or no token (a clearer
// message than the API's 401), and close the client when the verb is done.
import type { Command } from 'commander';
import { defaultConfigPath, readConfig } from '../../internal/iotctl-config/index.js';
import type { ApiClient } from './api-client.js';
import { resolveContext, type GlobalOptions, type ResolvedContext } from './context.js';
import type { CliDeps, RunDeps } from './deps.js';
import { ContextError, NotLoggedInError } from './errors.js';

export interface SessionOptions {
  /** Login has no token yet, and may name a context that does not exist yet. */
  login?: boolean;
  timeoutMs?: number;
}

export const configPathOf = (deps: CliDeps) => defaultConfigPath(deps.env);

export function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export async function currentContext(
  command: Command,
  deps: CliDeps,
  options: SessionOptions = {},
): Promise<ResolvedContext> {
  const config = await readConfig(configPathOf(deps));
  return resolveContext(config, globalsOf(command), deps.env, { mayBeNew: options.login });
}

export async function withClient<T>(
  command: Command,
  deps: CliDeps,
  fn: (run: RunDeps, context: ResolvedContext) => Promise<T>,
  options: SessionOptions = {},
): Promise<T> {
  const context = await currentContext(command, deps, options);
  if (context.api === undefined) {
    throw new ContextError(
      `no API address for context "${context.name}": pass --api URL, set IOT_API_URL, ` +
        `or run 'iotctl config set-context ${context.name} --api URL'`,
    );
  }
  if (!options.login && context.token === undefined) throw new NotLoggedInError(context.name);
  const client: ApiClient = deps.connect({
    api: context.api,
    ca: context.ca,
    token: options.login ? undefined : context.token,
    unauthenticatedHint: options.login
      ? undefined
      : context.tokenFrom === 'IOT_API_TOKEN'
        ? 'check IOT_API_TOKEN'
        : "run 'iotctl login'",
    signal: deps.signal,
    timeoutMs: options.timeoutMs,
    userAgent: `iotctl/${deps.version ?? 'dev'}`,
  });
  try {
    return await fn(
      { stdout: deps.stdout, stderr: deps.stderr, client, now: deps.now, signal: deps.signal },
      context,
    );
  } finally {
    await client.close();
  }
}
