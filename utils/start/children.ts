// The services of `npm start`, each a child process whose output goes to its own log file
// under .stack/logs, so the terminal keeps to the status block.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface Child {
  name: string;
  httpPort: number;
  logFile: string;
  process: ChildProcess;
  exited: Promise<number | null>;
}

export function startChild(options: {
  name: string;
  entry: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  httpPort: number;
  repoRoot: string;
  logDir: string;
}): Child {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', options.entry, ...(options.args ?? [])],
    {
      cwd: options.repoRoot,
      env: { ...options.env, IOT_HTTP_PORT: String(options.httpPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { name: options.name, httpPort: options.httpPort, logFile, process: child, exited };
}

/** SIGTERM, then SIGKILL after `graceMs` if the child is still there. */
export async function stopChild(child: Child, graceMs = 25_000): Promise<number | null> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  const code = await child.exited;
  clearTimeout(timer);
  return code;
}
