// A three-node RabbitMQ cluster of a test's own: `utils/stack.sh up --nodes 3` in a stack
// directory under .stack-test/ (IOT_STACK_DIR), so it never disturbs the checkout's one-node stack
// that the other tests use; and what the nodes say about their quorum queues.
import path from 'node:path';
import { migrate, stack } from './stack-control.js';
import { parseEnvFile } from './stack-env.js';
import { TEST_STACKS_DIR } from './test-stacks.js';
import { readFileSync } from 'node:fs';

export const CLUSTER_NODES = 3;

/** Where a test's own cluster lives: .stack-test/<name> (git-ignored, gone with down --purge). */
export const clusterStackDir = (name: string) => path.join(TEST_STACKS_DIR, name);

/** Starts the cluster and its PostgreSQL, with the migrations applied; returns its env. */
export async function startCluster(dir: string): Promise<Record<string, string>> {
  await stack(['up', '--nodes', String(CLUSTER_NODES)], { stackDir: dir });
  await migrate({ stackDir: dir });
  return clusterEnv(dir);
}

export const clusterEnv = (dir: string) =>
  parseEnvFile(readFileSync(path.join(dir, 'env'), 'utf8'));

/** Stops every node and PostgreSQL and deletes the stack directory. */
export async function purgeCluster(dir: string): Promise<void> {
  await stack(['down', '--purge'], { stackDir: dir });
}

/** The cluster's node names, node 1 first (IOT_RABBITMQ_NODES). */
export function nodeNames(env: Record<string, string>): string[] {
  return (env.IOT_RABBITMQ_NODES ?? '').split(',').filter((name) => name !== '');
}

export interface QuorumQueue {
  name: string;
  leader: string;
  members: string[];
}

/** Quorum queues as `node` (a running one) reports them: leader and members, at once. */
export async function quorumQueues(dir: string, node: string): Promise<QuorumQueue[]> {
  const { stdout } = await stack(
    ['rabbitmqctl', '-n', node, '-q', 'list_queues', 'name', 'type', 'leader', 'members'].concat([
      '--formatter',
      'json',
    ]),
    { stackDir: dir },
  );
  return (JSON.parse(stdout) as (QuorumQueue & { type: string })[])
    .filter((queue) => queue.type === 'quorum')
    .map(({ name, leader, members }) => ({ name, leader, members }));
}
