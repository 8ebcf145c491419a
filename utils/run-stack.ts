// The local stack a tool run works against (`npm run bench`, `npm run eval`): `utils/stack.sh
// up` (quick when it is already up), its `.stack/env` (IOT_STACK_DIR's when set), a database of the run's own, the
// migrations, and purging the queues the run fills.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { RabbitAdmin } from '../internal/pubsub/index.js';
import { QUEUES } from '../internal/routing/index.js';
import { parseEnvFile, stackEnvFile } from './test/stack-env.js';

const run = promisify(execFile);

/** The queues a run fills: purged before and after it, so no run sees another's messages. */
export const RUN_QUEUES = [
  QUEUES.measurementsDbWriter,
  QUEUES.measurementsAnalytics,
  QUEUES.featuresAlarms,
  QUEUES.locationsDbWriter,
  QUEUES.logs,
  QUEUES.registry,
] as const;

export async function stackUp(repoRoot: string): Promise<void> {
  await run(path.join(repoRoot, 'utils/stack.sh'), ['up'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`utils/stack.sh up failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  });
}

/**
 * A database of the run's own (`utils/stack.sh createdb`): the pipeline then writes into an
 * empty table, as the COPY ceiling does, and no run is slowed by the rows of the runs before.
 */
export async function createRunDatabase(repoRoot: string, name: string): Promise<void> {
  await run(path.join(repoRoot, 'utils/stack.sh'), ['createdb', name], { cwd: repoRoot }).catch(
    (error: { stderr?: string }) => {
      throw new Error(`utils/stack.sh createdb ${name} failed:\n${error.stderr ?? ''}`);
    },
  );
}

export async function dropRunDatabase(repoRoot: string, name: string): Promise<void> {
  await run(path.join(repoRoot, 'utils/stack.sh'), ['dropdb', name], { cwd: repoRoot });
}

/** The same connection URL, to another database of the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The env of the stack `stackUp` brought up: the checkout's, or IOT_STACK_DIR's (a test's). */
export async function readStackEnv(): Promise<Record<string, string>> {
  return parseEnvFile(await readFile(stackEnvFile(), 'utf8'));
}

export async function migrate(repoRoot: string, env: NodeJS.ProcessEnv): Promise<void> {
  await run(process.execPath, ['--import', 'tsx', 'cmd/migrate/main.ts'], {
    cwd: repoRoot,
    env,
  }).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`migrations failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  });
}

export function required(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} missing from .stack/env; run utils/stack.sh up`);
  return value;
}

export function rabbitAdmin(env: Record<string, string | undefined>): RabbitAdmin {
  return new RabbitAdmin({
    url: required(env, 'IOT_RABBITMQ_MANAGEMENT_URL'),
    username: required(env, 'IOT_RABBITMQ_ADMIN_USERNAME'),
    password: required(env, 'IOT_RABBITMQ_ADMIN_PASSWORD'),
  });
}

export async function purgeRunQueues(admin: RabbitAdmin): Promise<void> {
  for (const queue of RUN_QUEUES) await admin.purgeQueue(queue);
}
