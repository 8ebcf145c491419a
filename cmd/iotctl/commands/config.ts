// `iotctl config get-contexts | current-context | use-context NAME | set-context NAME …`:
// the contexts in the config file, kubectl-style. Tokens and CAs are never printed.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { readConfig, updateConfig } from '../../../internal/iotctl-config/index.js';
import { DEFAULT_CONTEXT } from '../context.js';
import type { CliDeps, Writer } from '../deps.js';
import { ContextError } from '../errors.js';
import { outputOption, printList, type OutputFormat } from '../output.js';
import { configPathOf, globalsOf } from '../session.js';
import { NONE } from '../table.js';

export interface ConfigDeps {
  configPath: string;
  stdout: Writer;
  stderr: Writer;
}

export interface ContextRow {
  name: string;
  current: boolean;
  api: string | null;
  username: string | null;
  loggedIn: boolean;
  ca: boolean;
}

export function registerConfig(program: Command, deps: CliDeps): void {
  const config = program
    .command('config')
    .description('the contexts in the config file (API address, CA, token)');
  const configDeps = (): ConfigDeps => ({
    configPath: configPathOf(deps),
    stdout: deps.stdout,
    stderr: deps.stderr,
  });

  config
    .command('get-contexts')
    .description('list the contexts; * marks the current one')
    .addOption(outputOption())
    .action((opts: { output: OutputFormat }) => runGetContexts(opts, configDeps()));

  config
    .command('current-context')
    .description('print the current context’s name')
    .action(() => runCurrentContext(configDeps()));

  config
    .command('use-context')
    .description('make a context the current one')
    .argument('<context>', 'the context')
    .action((name: string) => runUseContext({ name }, configDeps()));

  config
    .command('set-context')
    .description('create or change a context (keeps its token)')
    .argument('<context>', 'the context')
    // --api is the global option (parsed wherever it appears), read back through the globals.
    .option('--ca-file <path>', 'PEM file of the CA that signed the API’s certificate')
    .option('--current', 'also make it the current context')
    .addHelpText(
      'after',
      '\nWith --api URL, sets the address: iotctl config set-context prod --api https://iot.example.com',
    )
    .action((name: string, opts: { caFile?: string; current?: boolean }, cmd: Command) =>
      runSetContext({ name, api: globalsOf(cmd).api, ...opts }, configDeps()),
    );
}

export async function runGetContexts(options: { output: OutputFormat }, deps: ConfigDeps) {
  const config = await readConfig(deps.configPath);
  const rows: ContextRow[] = Object.entries(config.contexts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => ({
      name,
      current: name === config.currentContext,
      api: c.api ?? null,
      username: c.username ?? null,
      loggedIn: c.token !== undefined,
      ca: c.ca !== undefined,
    }));
  const columns = [
    { header: 'CURRENT', value: (r: ContextRow) => (r.current ? '*' : '') },
    { header: 'NAME', value: (r: ContextRow) => r.name },
    { header: 'API', value: (r: ContextRow) => r.api ?? NONE },
    { header: 'USER', value: (r: ContextRow) => r.username ?? NONE },
    { header: 'LOGGED IN', value: (r: ContextRow) => (r.loggedIn ? 'yes' : 'no') },
  ];
  printList(deps, options.output, rows, columns, `contexts in ${deps.configPath}`);
}

export async function runCurrentContext(deps: ConfigDeps) {
  const config = await readConfig(deps.configPath);
  deps.stdout.write(`${config.currentContext ?? DEFAULT_CONTEXT}\n`);
}

export async function runUseContext(options: { name: string }, deps: ConfigDeps) {
  await updateConfig(deps.configPath, (config) => {
    if (!config.contexts[options.name]) {
      throw new ContextError(
        `no context "${options.name}" in ${deps.configPath} ` +
          `(create it with 'iotctl config set-context ${options.name} --api URL')`,
      );
    }
    return { ...config, currentContext: options.name };
  });
  deps.stdout.write(`switched to context "${options.name}"\n`);
}

export async function runSetContext(
  options: { name: string; api?: string; caFile?: string; current?: boolean },
  deps: ConfigDeps,
) {
  let ca: string | undefined;
  if (options.caFile !== undefined) {
    try {
      ca = await readFile(options.caFile, 'utf8');
    } catch (error) {
      throw new ContextError(`cannot read ${options.caFile}: ${(error as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ContextError(`${options.caFile} is not a PEM certificate`);
    }
  }
  await updateConfig(deps.configPath, (config) => {
    const entry = { ...config.contexts[options.name] };
    if (options.api !== undefined) entry.api = options.api;
    if (ca !== undefined) entry.ca = ca;
    return {
      ...config,
      currentContext:
        options.current || config.currentContext === undefined
          ? options.name
          : config.currentContext,
      contexts: { ...config.contexts, [options.name]: entry },
    };
  });
  deps.stdout.write(`context "${options.name}" saved\n`);
}
