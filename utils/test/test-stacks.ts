// Integration tests never use the developer's stack (.stack): vitest's global setup brings up
// one stack per worker under .stack-test/ (utils/stack.sh with IOT_STACK_DIR: its own RabbitMQ
// node, PostgreSQL cluster, broker-auth and ports), and each worker points IOT_STACK_DIR at
// its own (worker-stack.ts). Files running at the same time so never share a queue, a table
// or a fault: stopping one worker's PostgreSQL leaves the other's alone.
import path from 'node:path';
import { repoRoot } from './stack-env.js';

export const TEST_STACKS_DIR = path.join(repoRoot, '.stack-test');

/**
 * Integration files run this many at a time. Two: the machines this runs on have two cores,
 * and most of a file's time is spent waiting for brokers, databases and clocks, not computing.
 */
export const INTEGRATION_WORKERS = 2;

/** Worker `n`'s stack (vitest numbers its workers from 1: VITEST_POOL_ID). */
export function workerStackDir(worker: number): string {
  return path.join(TEST_STACKS_DIR, `worker-${worker}`);
}

export const workerStackDirs = (): string[] =>
  Array.from({ length: INTEGRATION_WORKERS }, (_, i) => workerStackDir(i + 1));
