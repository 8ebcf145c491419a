// vitest global setup for the integration project: bring up the local stack (installing what
// is missing), apply the migrations, and afterwards stop the stack again if this run started it.
import { migrate, stack } from './stack-control.js';

async function stackIsUp(): Promise<boolean> {
  try {
    await stack(['status']);
    return true;
  } catch {
    return false;
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const wasUp = await stackIsUp();
  // `up` on a running stack is quick and re-checks users and roles.
  const up = await stack(['up']);
  if (process.env.CI) process.stdout.write(up.stdout);
  await migrate();
  return async () => {
    if (!wasUp) await stack(['down']);
  };
}
