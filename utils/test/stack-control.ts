// Running utils/stack.sh and the migrations from tests: for the stack in use (the worker's,
// see test-stacks.ts), or for a stack in another directory (IOT_STACK_DIR): each worker's in
// vitest's global setup, a test's own three-node cluster (test/e2e/cluster.test.ts).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { activeStackDir, parseEnvFile, repoRoot } from './stack-env.js';

const run = promisify(execFile);
export const stackScript = path.join(repoRoot, 'utils/stack.sh');

/** The environment for stack.sh: the stack in use (activeStackDir), or the one in `stackDir`. */
function scriptEnv(stackDir?: string): NodeJS.ProcessEnv {
  return stackDir === undefined ? { ...process.env } : { ...process.env, IOT_STACK_DIR: stackDir };
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
  const envFile = path.join(options.stackDir ?? activeStackDir(), 'env');
  const env = { ...scriptEnv(options.stackDir), ...parseEnvFile(readFileSync(envFile, 'utf8')) };
  await run('npx', ['tsx', 'cmd/migrate/main.ts'], { cwd: repoRoot, env }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      throw new Error(`migrations failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    },
  );
}
