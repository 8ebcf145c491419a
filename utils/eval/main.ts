// `npm run eval -- DIR [-o table|json]`: labelled recordings replayed through the real
// services. Wiring only: flags, the manifest, the run, signals, the output and the exit code
// (0 when it ran, whatever the diagnoses; 2 for a bad command line or manifest; 1 otherwise).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManifestError, readManifest } from './manifest.js';
import { parseOptions, usageError } from './options.js';
import { formatJson, formatTable } from './report.js';
import { EvalRun } from './run.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const parsed = parseOptions(process.argv.slice(2));
if (parsed.kind === 'exit') {
  process.stdout.write(parsed.stdout);
  process.stderr.write(parsed.stderr);
  process.exit(parsed.code);
}
const { dir, output } = parsed.options;

let manifest;
try {
  manifest = readManifest(path.resolve(dir));
} catch (error) {
  if (!(error instanceof ManifestError)) throw error;
  process.stderr.write(usageError(error.message).stderr);
  process.exit(2);
}

const run = new EvalRun({
  repoRoot,
  env: process.env,
  log: (line) => process.stderr.write(`eval: ${line}\n`),
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\neval: ${signal}: stopping the processes\n`);
    run.shutdown().then(
      () => process.exit(130),
      () => process.exit(1),
    );
  });
}

let code = 0;
try {
  const rows = await run.execute(manifest);
  process.stdout.write(output === 'json' ? formatJson(rows) : formatTable(rows));
} catch (error) {
  if (error instanceof ManifestError) {
    process.stderr.write(usageError(error.message).stderr);
    code = 2;
  } else {
    process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
}
try {
  await run.shutdown();
} catch (error) {
  process.stderr.write(
    `eval: cleaning up: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  code = code === 0 ? 1 : code;
}
process.exit(code);
