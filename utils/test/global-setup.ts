// vitest global setup for the integration project: bring up the local stack (installing what
// is missing), apply the migrations, and afterwards stop the stack again if this run started it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { repoRoot, serviceEnv } from './stack-env.js';

const run = promisify(execFile);
const stackScript = path.join(repoRoot, 'utils/stack.sh');

async function stackIsUp(): Promise<boolean> {
  try {
    await run(stackScript, ['status'], { cwd: repoRoot });
    return true;
  } catch {
    return false;
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const wasUp = await stackIsUp();
  // `up` on a running stack is quick and re-checks users and roles.
  const up = await run(stackScript, ['up'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      throw new Error(`utils/stack.sh up failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    },
  );
  if (process.env.CI) process.stdout.write(up.stdout);
  await run('npx', ['tsx', 'cmd/migrate/main.ts'], { cwd: repoRoot, env: serviceEnv() }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      throw new Error(`migrations failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    },
  );
  return async () => {
    if (!wasUp) await run(stackScript, ['down'], { cwd: repoRoot });
  };
}
