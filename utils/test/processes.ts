// Real service processes for end-to-end tests: spawned with the stack's env on a free health
// port, ready when their /readyz says so, stopped with a signal (or killed -9).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import { repoRoot, serviceEnv, stackEnv } from './stack-env.js';
import { freePort } from '../free-port.js';

export interface ServiceProcess {
  readonly name: string;
  readonly httpPort: number;
  readonly child: ChildProcess;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** Resolves with the exit code when the process exits by itself (null if killed). */
  readonly exit: Promise<number | null>;
  /** Sends the signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  metrics(): Promise<string>;
}

/**
 * Starts `cmd/<name>/main.ts` and waits until its /readyz answers 200. `https` is for iot-api,
 * which serves its health beside the API on IOT_API_PORT, over TLS with the stack's CA.
 */
export async function startService(
  name: string,
  options: {
    env?: Record<string, string>;
    args?: string[];
    waitReady?: boolean;
    https?: boolean;
  } = {},
): Promise<ServiceProcess> {
  const httpPort = await freePort();
  const portVariable = options.https ? 'IOT_API_PORT' : 'IOT_HTTP_PORT';
  const get = options.https ? httpsGetter() : plainGet;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join('cmd', name, 'main.ts'), ...(options.args ?? [])],
    {
      cwd: repoRoot,
      env: serviceEnv({ IOT_LOG_LEVEL: 'warn', ...options.env, [portVariable]: String(httpPort) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  const service: ServiceProcess = {
    name,
    httpPort,
    child,
    exit: exited,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async metrics() {
      return (await get(httpPort, '/metrics')).text;
    },
  };
  if (options.waitReady ?? true) await waitReady(service, exited, get);
  return service;
}

type Get = (port: number, path: string) => Promise<{ ok: boolean; text: string }>;

const plainGet: Get = async (port, path) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { ok: res.ok, text: await res.text() };
};

function httpsGetter(): Get {
  const dispatcher = new Agent({ connect: { ca: readFileSync(stackEnv().IOT_TLS_CA_FILE ?? '') } });
  return async (port, path) => {
    const res = await request(`https://localhost:${port}${path}`, { dispatcher });
    const text = await res.body.text();
    return { ok: res.statusCode === 200, text };
  };
}

async function waitReady(service: ServiceProcess, exited: Promise<number | null>, get: Get) {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${service.name} exited during start-up:\n${service.output()}`);
    try {
      if ((await get(service.httpPort, '/readyz')).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wake) => setTimeout(wake, 200));
  }
  await service.stop('SIGKILL');
  throw new Error(`${service.name} not ready within 60 s:\n${service.output()}`);
}

/** The sum of a Prometheus metric's samples whose labels include every `labels` pair. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .filter((l) => wanted.every((pair) => l.includes(pair)))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}
