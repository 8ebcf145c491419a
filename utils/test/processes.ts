// Real service processes for end-to-end tests, through the shared launcher (utils/processes.ts):
// the stack's env at warn level on a free health port, and their /metrics.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { repoRoot, serviceEnv, stackEnv } from './stack-env.js';
import { launchService, type ServiceProcess as LaunchedProcess } from '../processes.js';

export interface ServiceProcess extends LaunchedProcess {
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
    /** A free port unless given (a restart on the same port). */
    httpPort?: number;
  } = {},
): Promise<ServiceProcess> {
  const get = options.https ? httpsGetter() : plainGet;
  const launched = await launchService({
    repoRoot,
    name,
    args: options.args,
    httpPort: options.httpPort,
    env: serviceEnv({ IOT_LOG_LEVEL: 'warn', ...options.env }),
    portVariable: options.https ? 'IOT_API_PORT' : 'IOT_HTTP_PORT',
    waitReady: options.waitReady,
    readyCheck: async (port) => (await get(port, '/readyz')).ok,
  });
  return Object.assign(launched, {
    async metrics() {
      return (await get(launched.httpPort, '/metrics')).text;
    },
  });
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

/**
 * The simulator for a run of `durationS` seconds: devices provisioned on the broker, the
 * summary of what the broker confirmed written to `summaryFile`, `sensorArgs` saying which
 * sensors measure what (--sensor followed by its machine's flags).
 */
export function startSimulation(
  summaryFile: string,
  durationS: number,
  sensorArgs: string[],
): Promise<ServiceProcess> {
  return startService('sensor-simulation', {
    args: [
      '--provision',
      '--summary-file',
      summaryFile,
      '--duration',
      String(durationS),
      ...sensorArgs,
    ],
  });
}
