// `iotctl completion bash|zsh` prints the script; the hidden `iotctl __complete KIND` lists
// serials, targets or contexts for it. Completion runs on every Tab, so __complete is quick
// (short timeout) and quiet: whatever goes wrong, it prints nothing and exits 0.
import { Argument, type Command } from 'commander';
import { readConfig } from '../../../internal/iotctl-config/index.js';
import type { List, Sensor, Target } from '../api-types.js';
import { bashCompletion, DYNAMIC_KINDS, zshCompletion } from '../completion.js';
import type { CliDeps, Writer } from '../deps.js';
import { configPathOf, withClient } from '../session.js';

const COMPLETE_TIMEOUT_MS = 3000;

export function registerCompletion(program: Command, deps: CliDeps): void {
  program
    .command('completion')
    .description('print a shell completion script (source <(iotctl completion bash))')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => runCompletion({ shell, program }, deps));

  program
    .command('__complete', { hidden: true })
    .addArgument(new Argument('<kind>').choices(DYNAMIC_KINDS))
    .action(async (kind: (typeof DYNAMIC_KINDS)[number], _opts: unknown, cmd: Command) => {
      try {
        const names =
          kind === 'context'
            ? Object.keys((await readConfig(configPathOf(deps))).contexts)
            : await withClient(
                cmd,
                deps,
                async ({ client }) =>
                  kind === 'serial'
                    ? (await client.get<List<Sensor>>('/sensors')).items.map((s) => s.serial)
                    : (await client.get<List<Target>>('/targets')).items.map((t) => t.name),
                { timeoutMs: COMPLETE_TIMEOUT_MS },
              );
        deps.stdout.write(names.map((n) => `${n}\n`).join(''));
      } catch {
        // nothing to offer; a Tab must never print an error into the command line
      }
    });
}

export function runCompletion(
  options: { shell: 'bash' | 'zsh'; program: Command },
  deps: { stdout: Writer },
): void {
  deps.stdout.write(
    options.shell === 'bash' ? bashCompletion(options.program) : zshCompletion(options.program),
  );
}
