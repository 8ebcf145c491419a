// The platform's real processes for a run, through the shared launcher (utils/processes.ts):
// the stack's env with warn-level logs on a free health port; ready when /readyz answers 200.
import { launchService, type ServiceProcess } from '../utils/processes.js';

export type Service = ServiceProcess;

export async function startService(
  repoRoot: string,
  name: string,
  env: NodeJS.ProcessEnv,
  options: { args?: string[]; label?: string; waitReady?: boolean } = {},
): Promise<Service> {
  return launchService({ repoRoot, name, env: { ...env, IOT_LOG_LEVEL: 'warn' }, ...options });
}

export const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));
