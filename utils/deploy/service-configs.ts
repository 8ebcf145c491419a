// Each command of cmd/ that compose and Kubernetes run, with its own config loader, so the
// deployment tests hand a container's environment to the code that will read it: a variable
// that is required but unset, renamed, misspelt or out of bounds fails there, as it would at
// start-up. (utils/deploy/ is the one place outside cmd/ allowed to import cmd/*/config.ts.)
import { readdirSync, readFileSync } from 'node:fs';
import { loadBrokerAuthConfig } from '../../cmd/broker-auth/config.js';
import { loadApiConfig } from '../../cmd/iot-api/config.js';
import { loadControllerConfig } from '../../cmd/machine-controller/config.js';
import { loadMigrateConfig } from '../../cmd/migrate/config.js';
import { loadAlarmsConfig } from '../../cmd/sensor-alarms/config.js';
import { loadAnalyticsConfig } from '../../cmd/sensor-analytics/config.js';
import { loadLogsIngesterConfig } from '../../cmd/sensor-logs-ingester/config.js';
import { loadMeasurementsIngesterConfig } from '../../cmd/sensor-measurements-ingester/config.js';
import { loadRegistryConfig } from '../../cmd/sensor-registry/config.js';
import { loadSimulationConfig } from '../../cmd/sensor-simulation/config.js';
import type { Env } from '../../internal/config/index.js';
import { repoPath } from './repo.js';

export type ConfigLoader = (env: Env) => unknown;

/** cmd/<name> → its loader. The migrations run as a Job / one-shot, the rest as servers. */
export const SERVICE_CONFIGS: Readonly<Record<string, ConfigLoader>> = {
  migrate: loadMigrateConfig,
  'broker-auth': loadBrokerAuthConfig,
  'iot-api': loadApiConfig,
  'sensor-registry': loadRegistryConfig,
  'sensor-measurements-ingester': loadMeasurementsIngesterConfig,
  'sensor-analytics': loadAnalyticsConfig,
  'sensor-logs-ingester': loadLogsIngesterConfig,
  'sensor-alarms': loadAlarmsConfig,
  'machine-controller': loadControllerConfig,
  'sensor-simulation': loadSimulationConfig,
};

/** The commands of cmd/ that run as long-lived servers: their main.ts uses runService. */
export function serverCommands(): string[] {
  return readdirSync(repoPath('cmd'))
    .filter((name) => {
      try {
        return readFileSync(repoPath(`cmd/${name}/main.ts`), 'utf8').includes('runService(');
      } catch {
        return false;
      }
    })
    .sort();
}

/** The loader's result, or the message it refused the environment with. */
export function loadWith(
  command: string,
  env: Env,
): { ok: true; config: Record<string, unknown> } | { ok: false; message: string } {
  const loader = SERVICE_CONFIGS[command];
  if (!loader) throw new Error(`no config loader for cmd/${command}`);
  try {
    return { ok: true, config: loader(env) as Record<string, unknown> };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** The variables a loader looks up (observed, not listed by hand). */
export function variablesRead(command: string, env: Env): Set<string> {
  const read = new Set<string>();
  const watched = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return Reflect.get(target, name) as unknown;
    },
  });
  loadWith(command, watched);
  return read;
}

/** A Secret's stand-in value in tests: URL-safe, since URLs embed the secrets. */
export const secretPlaceholder = (name: string, key: string): string =>
  `placeholder-${name}-${key}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
