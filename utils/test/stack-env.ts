// Reads the local stack's `.stack/env` (written by `utils/stack.sh up`) so that integration
// tests connect to exactly what the stack started, with the secrets it generated.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The checkout's own stack: the developer's (`npm start`); tests use their own (test-stacks.ts). */
export const stackDir = path.join(repoRoot, '.stack');

/**
 * The stack in use: the one in IOT_STACK_DIR (a test worker's, or a test's own cluster),
 * else the checkout's.
 */
export function activeStackDir(): string {
  return process.env.IOT_STACK_DIR || stackDir;
}

export function stackEnvFile(): string {
  return path.join(activeStackDir(), 'env');
}

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

/** The env of the stack in use (activeStackDir). */
export function stackEnv(): Record<string, string> {
  return parseEnvFile(readFileSync(stackEnvFile(), 'utf8'));
}

/** The stack's env merged over the process env: what a service started by a test sees. */
export function serviceEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...stackEnv(), ...extra };
}
