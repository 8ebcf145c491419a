// The one launcher of the platform's real processes, shared by the tests (utils/test), `npm
// start` (utils/start) and the benchmark (bench/): `node --import tsx cmd/<name>/main.ts` with
// the env it is given and its health port, ready when /readyz answers 200, its output kept
// (and appended to a log file when asked), stopped with a signal and SIGKILL past a grace.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { STOP_DEADLINE_MS } from '../internal/lifecycle/index.js';
import { freePort } from './free-port.js';

/**
 * How long stop() waits before SIGKILL: a service gives up on its own after STOP_DEADLINE_MS
 * and exits 1 with a log line saying why; a little more lets that line be written, as
 * Kubernetes' 30 s grace does.
 */
export const STOP_GRACE_MS = STOP_DEADLINE_MS + 5_000;
/** How long a service may take to answer /readyz 200 (a cold tsx start on a busy machine). */
export const READY_TIMEOUT_MS = 60_000;
/** How much of a process's output output() keeps: enough for any failure message. */
const OUTPUT_KEEP_CHARS = 1024 * 1024;
const READY_POLL_MS = 200;

export interface ServiceProcess {
  readonly name: string;
  readonly httpPort: number;
  readonly child: ChildProcess;
  readonly pid: number;
  /** The file its output is appended to, when one was asked for. */
  readonly logFile: string | undefined;
  /** Resolves with the exit code when the process exits (null when a signal ended it). */
  readonly exit: Promise<number | null>;
  /** The last of what it printed, for failure messages. */
  output(): string;
  /** Sends `signal` (SIGTERM), SIGKILL after `graceMs` (STOP_GRACE_MS); the exit code. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/** Answers whether GET /readyz on the port said 200 (throws while nothing listens). */
export type ReadyCheck = (port: number) => Promise<boolean>;

export const plainReadyCheck: ReadyCheck = async (port) =>
  (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;

export interface LaunchOptions {
  repoRoot: string;
  /** Runs `cmd/<name>/main.ts`. */
  name: string;
  /**
   * Runs this program with these arguments instead (a server of the stack's own, such as
   * Prometheus); it is given its port in its arguments, so no port variable is set.
   */
  command?: readonly [string, ...string[]];
  /** How it is called in messages (bench's replicas); `name` by default. */
  label?: string;
  args?: string[];
  /** The whole environment the process gets, but for its port variable. */
  env: NodeJS.ProcessEnv;
  /** A free port by default. */
  httpPort?: number;
  /** IOT_HTTP_PORT by default; iot-api serves its health beside the API on IOT_API_PORT. */
  portVariable?: string;
  /** Append stdout and stderr here too. */
  logFile?: string;
  /** Wait for /readyz (default), with this check. */
  waitReady?: boolean;
  readyCheck?: ReadyCheck;
}

export async function launchService(options: LaunchOptions): Promise<ServiceProcess> {
  const httpPort = options.httpPort ?? (await freePort());
  const [file, ...args] = options.command ?? [
    process.execPath,
    '--import',
    'tsx',
    path.join('cmd', options.name, 'main.ts'),
    ...(options.args ?? []),
  ];
  const env = options.command
    ? options.env
    : { ...options.env, [options.portVariable ?? 'IOT_HTTP_PORT']: String(httpPort) };
  const child = spawn(file, args, {
    cwd: options.repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEEP_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (options.logFile !== undefined) {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const service: ServiceProcess = {
    name: options.label ?? options.name,
    httpPort,
    child,
    pid: child.pid ?? -1,
    logFile: options.logFile,
    exit,
    output: () => output,
    async stop(signal = 'SIGTERM', graceMs = STOP_GRACE_MS) {
      if (child.exitCode !== null || child.signalCode !== null) return exit;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  if (options.waitReady ?? true) {
    await waitReady(service, options.readyCheck ?? plainReadyCheck);
  }
  return service;
}

async function waitReady(service: ServiceProcess, ready: ReadyCheck): Promise<void> {
  let gone = false;
  void service.exit.then(() => (gone = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${service.name} exited during start-up:\n${service.output()}`);
    try {
      if (await ready(service.httpPort)) return;
    } catch {
      // not listening yet
    }
    await new Promise((wake) => setTimeout(wake, READY_POLL_MS));
  }
  await service.stop('SIGKILL');
  throw new Error(
    `${service.name} not ready within ${READY_TIMEOUT_MS / 1000} s:\n${service.output()}`,
  );
}
