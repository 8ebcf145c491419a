// `npm run bench`: the ingest benchmark. Wiring only: flags, the run, signals, the exit code.
// The flow is in run.ts; see bench/README.md for what each figure means.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './options.js';
import { Progress } from './progress.js';
import { runMax } from './max.js';
import { BenchRun } from './run.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');

const parsed = parseOptions(process.argv.slice(2));
if (parsed.kind === 'exit') {
  process.stdout.write(parsed.stdout);
  process.stderr.write(parsed.stderr);
  process.exit(parsed.code);
}

const ctx = {
  repoRoot,
  resultsDir: path.join(benchDir, 'results'),
  env: process.env,
  progress: new Progress(process.stderr),
  stdout: (text: string) => process.stdout.write(text),
};
/** The run in progress, for the signal handlers to stop. */
let current: BenchRun | undefined;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}: stopping the processes\n`);
    (current?.shutdown() ?? Promise.resolve()).then(
      () => process.exit(130),
      () => process.exit(1),
    );
  });
}

try {
  if (parsed.options.scenario === 'max') {
    await runMax(parsed.options, ctx, (run) => (current = run));
  } else {
    current = new BenchRun(parsed.options, ctx);
    await current.execute();
  }
  process.exit(0);
} catch (error) {
  process.stderr.write(`\nbench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
