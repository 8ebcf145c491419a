// Reads the local stack's `.stack/env` (written by `utils/stack.sh up`) so that integration
// tests connect to exactly what the stack started, with the secrets it generated.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const stackDir = path.join(repoRoot, '.stack');
export const stackEnvFile = path.join(stackDir, 'env');

/** Parses `KEY=value` / `export KEY='value'` lines as written by stack.sh. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2] ?? '';
    if (
      (value.startsWith("'") && value.endsWith("'")) ||
      (value.startsWith('"') && value.endsWith('"'))
    ) {
      value = value.slice(1, -1);
    }
    env[match[1] as string] = value;
  }
  return env;
}

/**
 * The env of the stack in use: the checkout's own, or the one in IOT_STACK_DIR when a test
 * runs a stack of its own (test/e2e/cluster.test.ts stubs it for its duration).
 */
export function stackEnv(): Record<string, string> {
  const dir = process.env.IOT_STACK_DIR;
  return parseEnvFile(readFileSync(dir ? path.join(dir, 'env') : stackEnvFile, 'utf8'));
}

/** The stack's env merged over the process env: what a service started by a test sees. */
export function serviceEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...stackEnv(), ...extra };
}
