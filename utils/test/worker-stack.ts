// vitest setup file of the integration projects: this worker's tests, and every process
// they start (services, iotctl, utils/stack.sh), use this worker's stack (test-stacks.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { workerStackDir } from './test-stacks.js';

const worker = Number(process.env.VITEST_POOL_ID ?? '1');
const dir = workerStackDir(worker);
if (!existsSync(path.join(dir, 'env'))) {
  throw new Error(
    `no stack for test worker ${worker} in ${dir}: the global setup makes one per worker`,
  );
}
process.env.IOT_STACK_DIR = dir;
