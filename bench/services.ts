// The platform's real processes for a run: `node --import tsx cmd/<name>/main.ts` with the
// stack's env, a free health port and warn-level logs; ready when /readyz answers 200.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../utils/free-port.js';

export interface Service {
  readonly name: string;
  readonly httpPort: number;
  readonly child: ChildProcess;
  readonly pid: number;
  /** The exit code once it exits (null when a signal ended it). */
  readonly exit: Promise<number | null>;
  /** The last of what it printed, for error messages. */
  output(): string;
  /** SIGTERM (or `signal`), then the exit code; SIGKILL if it takes longer than 30 s. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const OUTPUT_KEEP = 64 * 1024;
const READY_TIMEOUT_MS = 60_000;

export async function startService(
  repoRoot: string,
  name: string,
  env: NodeJS.ProcessEnv,
  options: { args?: string[]; label?: string; waitReady?: boolean } = {},
): Promise<Service> {
  const httpPort = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join('cmd', name, 'main.ts'), ...(options.args ?? [])],
    {
      cwd: repoRoot,
      env: { ...env, IOT_LOG_LEVEL: 'warn', IOT_HTTP_PORT: String(httpPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEEP);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service: Service = {
    name: options.label ?? name,
    httpPort,
    child,
    pid: child.pid ?? -1,
    exit,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return exit;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  if (options.waitReady ?? true) await waitReady(service);
  return service;
}

async function waitReady(service: Service): Promise<void> {
  let gone = false;
  void service.exit.then(() => (gone = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${service.name} exited during start-up:\n${service.output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${service.httpPort}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await service.stop('SIGKILL');
  throw new Error(`${service.name} not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

export const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));
