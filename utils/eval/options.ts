// The command line of `npm run eval -- DIR [-o table|json]`. Parsing never exits: a bad flag
// comes back as one line plus the usage, exit 2.
import { Command, CommanderError, InvalidArgumentError } from 'commander';

export const PROGRAM = 'eval';
export const USAGE = 'usage: npm run eval -- DIR [-o table|json]';

export type OutputFormat = 'table' | 'json';

export interface EvalOptions {
  /** The folder holding manifest.json and the recordings it names. */
  dir: string;
  output: OutputFormat;
}

export type ParseResult =
  | { kind: 'options'; options: EvalOptions }
  | { kind: 'exit'; code: 0 | 2; stdout: string; stderr: string };

export function usageError(message: string): ParseResult & { kind: 'exit' } {
  return { kind: 'exit', code: 2, stdout: '', stderr: `${PROGRAM}: ${message}\n${USAGE}\n` };
}

export function parseOptions(argv: readonly string[]): ParseResult {
  let stdout = '';
  const program = new Command(PROGRAM)
    .description(
      'Labelled recordings replayed through the real services (registry, ingester, analytics) ' +
        'on a database of their own: expected vs diagnosed.',
    )
    .usage('DIR [-o table|json]')
    .argument('<DIR>', 'folder with manifest.json (the format of shared/data/cwru)')
    .option('-o, --output <format>', 'table (default) or json', (raw): OutputFormat => {
      if (raw !== 'table' && raw !== 'json')
        throw new InvalidArgumentError('Must be table or json.');
      return raw;
    })
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (stdout += s), writeErr: () => {}, outputError: () => {} });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return { kind: 'exit', code: 0, stdout, stderr: '' };
    return usageError(error.message.replace(/^error: /, ''));
  }
  const [dir] = program.args;
  if (dir === undefined || program.args.length !== 1) {
    return usageError(`expected one DIR, got ${program.args.length}`);
  }
  return {
    kind: 'options',
    options: { dir, output: program.opts<{ output?: OutputFormat }>().output ?? 'table' },
  };
}
