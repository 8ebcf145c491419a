// The whole command line: builds the commander tree around injected deps, runs it, and turns
// every outcome into an exit code: 0 success, 1 failure, 2 bad usage (with the usage line of
// the command that was misused), 130 interrupted. Never exits, never prints a stack.
import { Command, CommanderError } from 'commander';
import { ConfigFileError } from '../../internal/iotctl-config/index.js';
import { parseApiUrl } from './arguments.js';
import { registerAlarms } from './commands/alarms.js';
import { registerAssign } from './commands/assign.js';
import { registerAwake } from './commands/awake.js';
import { registerBaseline } from './commands/baseline.js';
import { registerCompletion } from './commands/completion.js';
import { registerConfig } from './commands/config.js';
import { registerCreate } from './commands/create.js';
import { registerDeadLetters } from './commands/deadletters.js';
import { registerDelete } from './commands/delete.js';
import { registerFeatures } from './commands/features.js';
import { registerGet } from './commands/get.js';
import { registerLogin } from './commands/login.js';
import { registerLogout } from './commands/logout.js';
import { registerLogs } from './commands/logs.js';
import { registerRotateCredentials } from './commands/rotate-credentials.js';
import { registerSet } from './commands/set.js';
import { registerSetFrequency } from './commands/set-frequency.js';
import { registerSleep } from './commands/sleep.js';
import { registerUnassign } from './commands/unassign.js';
import { registerWatch } from './commands/watch.js';
import type { CliDeps, Writer } from './deps.js';
import { CliError, UsageError } from './errors.js';
import { JSON_HELP } from './output.js';

const HELP_FOOTER = `
Output:
  -o table   aligned columns, ages like 12s/3m/5h, — for none (the default)
  -o json    ${JSON_HELP}

Exit status: 0 success, 1 failure (API error, network, command rejected or expired,
--wait timed out), 2 bad usage, 130 interrupted.

Config: $XDG_CONFIG_HOME/iotctl/config.json (default ~/.config/iotctl/config.json), mode 0600.
Environment: IOT_API_URL (the address, below --api), IOT_API_TOKEN (an API key, above the
context's login token).

Examples:
  iotctl login admin
  iotctl get sensors
  iotctl set-frequency AAD-1123 200 --wait
  iotctl logs AAD-1123 -f
  iotctl get sensors -o json | jq -r '.[].serial'`;

export function buildProgram(deps: CliDeps): Command {
  const program = new Command('iotctl')
    .description('Operate the vibration-monitoring platform: sensors, commands, targets, alarms.')
    .version(deps.version ?? 'dev', '--version', 'print the version')
    .option('--api <url>', 'API address; overrides IOT_API_URL and the context', parseApiUrl)
    .option('--context <name>', 'config context to use instead of the current one')
    .helpOption('-h, --help', 'show help')
    .configureHelp({ showGlobalOptions: true })
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void deps.stdout.write(s),
      writeErr: (s) => void deps.stderr.write(s),
    })
    .addHelpText('after', HELP_FOOTER);

  registerLogin(program, deps);
  registerLogout(program, deps);
  registerGet(program, deps);
  registerSleep(program, deps);
  registerAwake(program, deps);
  registerSetFrequency(program, deps);
  registerCreate(program, deps);
  registerSet(program, deps);
  registerAssign(program, deps);
  registerUnassign(program, deps);
  registerDelete(program, deps);
  registerRotateCredentials(program, deps);
  registerLogs(program, deps);
  registerFeatures(program, deps);
  registerWatch(program, deps);
  registerAlarms(program, deps);
  registerBaseline(program, deps);
  registerDeadLetters(program, deps);
  registerConfig(program, deps);
  registerCompletion(program, deps);

  addUsageLines(program, deps.stderr);
  return program;
}

/** `usage: iotctl get sensors [options] [serial]` */
export function usageLine(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return `usage: ${names.join(' ')} ${command.usage()}`;
}

// Commander prints its own parse errors (unknown flag, missing argument, bad value) through
// each command's outputError; give every command one that adds its usage line below.
function addUsageLines(command: Command, stderr: Writer): void {
  command.configureOutput({
    outputError: (message) => void stderr.write(`${message.trimEnd()}\n${usageLine(command)}\n`),
  });
  for (const sub of command.commands) addUsageLines(sub, stderr);
}

export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const program = buildProgram(deps);
  let active: Command = program;
  program.hook('preAction', (_program, actionCommand) => {
    active = actionCommand;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return report(error, active, deps.stderr);
  }
}

function report(error: unknown, active: Command, stderr: Writer): number {
  // Commander has already printed the message (and our usage line) or the help.
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof UsageError) {
    stderr.write(`error: ${error.message}\n${usageLine(active)}\n`);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  // A config file that cannot be read or written is the operator's to fix, like a CliError.
  if (error instanceof ConfigFileError) {
    stderr.write(`error: ${error.message}\n`);
    return 1;
  }
  // A bug, not a user's mistake: still one line, but say what kind of thing broke.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  stderr.write(`error: ${message.split('\n')[0]}\n`);
  return 1;
}
