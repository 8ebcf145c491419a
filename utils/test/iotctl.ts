// Runs the real iotctl as a user would: the bin script in its own process, its config under
// the given $XDG_CONFIG_HOME (never the machine's own).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultConfigPath, writeContext } from '../../internal/iotctl-config/index.js';
import { required } from './brokers.js';
import { repoRoot, stackEnv } from './stack-env.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runIotctl(configHome: string, args: string[], stdin = ''): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'cmd/iotctl/bin.js'), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: configHome, XDG_CONFIG_HOME: configHome },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** `iotctl … -o json`, parsed; throws with iotctl's stderr when it fails. */
export async function iotctlJson<T>(configHome: string, args: string[]): Promise<T> {
  const result = await runIotctl(configHome, [...args, '-o', 'json']);
  if (result.code !== 0) throw new Error(`iotctl ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** What npm start does for the operator: point iotctl at the local API (HTTPS) and its CA. */
export async function pointIotctlAt(configHome: string, apiPort: number): Promise<void> {
  await writeContext(
    defaultConfigPath({ XDG_CONFIG_HOME: configHome }),
    'local',
    {
      api: `https://localhost:${apiPort}`,
      ca: readFileSync(required(stackEnv(), 'IOT_TLS_CA_FILE'), 'utf8'),
    },
    { makeCurrent: true },
  );
}

/** A long-running iotctl (`watch`, `logs -f`): its output so far, and a way to stop it. */
export function spawnIotctl(configHome: string, args: string[]) {
  const child = spawn(process.execPath, [path.join(repoRoot, 'cmd/iotctl/bin.js'), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: configHome, XDG_CONFIG_HOME: configHome },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    /** Its exit code, when it ends by itself. */
    exit,
    /** Ctrl-C, as an operator ends a watch; the exit code. */
    interrupt: () => {
      child.kill('SIGINT');
      return exit;
    },
  };
}
