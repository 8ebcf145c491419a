// vitest global setup for the integration projects: bring up every test worker's stack
// (test-stacks.ts; installing what is missing), apply the migrations to each, and afterwards
// stop the stacks this run started. The developer's own stack (.stack) is never touched.
import { migrate, stack } from './stack-control.js';
import { workerStackDirs } from './test-stacks.js';

async function stackIsUp(stackDir: string): Promise<boolean> {
  try {
    await stack(['status'], { stackDir });
    return true;
  } catch {
    return false;
  }
}

async function upAndMigrate(stackDir: string): Promise<void> {
  // `up` on a running stack is quick and re-checks users and roles.
  const up = await stack(['up'], { stackDir });
  if (process.env.CI) process.stdout.write(up.stdout);
  await migrate({ stackDir });
}

export default async function setup(): Promise<() => Promise<void>> {
  const dirs = workerStackDirs();
  const wasUp = await Promise.all(dirs.map(stackIsUp));
  // The first alone: on a fresh machine its `up` installs the Debian packages, which two at
  // once would fight over; then the others boot together.
  const [first, ...others] = dirs;
  if (first) await upAndMigrate(first);
  await Promise.all(others.map(upAndMigrate));
  return async () => {
    await Promise.all(
      dirs.filter((_, i) => !wasUp[i]).map((stackDir) => stack(['down'], { stackDir })),
    );
  };
}
