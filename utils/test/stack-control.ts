// Running utils/stack.sh and the migrations from tests: for the checkout's stack (vitest's
// global setup) and for a stack of a test's own in another directory (IOT_STACK_DIR), such as
// the three-node cluster of test/e2e/cluster.test.ts.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseEnvFile, repoRoot } from './stack-env.js';

const run = promisify(execFile);
export const stackScript = path.join(repoRoot, 'utils/stack.sh');

/** The environment for stack.sh: the checkout's stack, or the one in `stackDir`. */
function scriptEnv(stackDir?: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.IOT_STACK_DIR;
  return stackDir === undefined ? env : { ...env, IOT_STACK_DIR: stackDir };
}

/** utils/stack.sh with `args`; its output, or an error carrying it. */
export async function stack(
  args: string[],
  options: { stackDir?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  return run(stackScript, args, {
    cwd: repoRoot,
    env: scriptEnv(options.stackDir),
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(
      `utils/stack.sh ${args.join(' ')} failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`,
    );
  });
}

/** Applies the migrations to the database of the stack (the checkout's, or `stackDir`'s). */
export async function migrate(options: { stackDir?: string } = {}): Promise<void> {
  const envFile = path.join(options.stackDir ?? path.join(repoRoot, '.stack'), 'env');
  const env = { ...scriptEnv(options.stackDir), ...parseEnvFile(readFileSync(envFile, 'utf8')) };
  await run('npx', ['tsx', 'cmd/migrate/main.ts'], { cwd: repoRoot, env }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      throw new Error(`migrations failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    },
  );
}
