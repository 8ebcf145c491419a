// `npm start`: the whole platform on this machine. Brings up the local stack, applies the
// migrations, creates the demo fleet, starts every service and three simulated sensors, points
// iotctl at the local API (as kind points kubectl at its cluster), and prints a status block
// every few seconds. Ctrl-C stops everything cleanly.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultConfigPath, writeContext } from '../../internal/iotctl-config/index.js';
import { createPool } from '../../internal/storage/index.js';
import { launchService, type ServiceProcess } from '../processes.js';
import { activeStackDir, repoRoot, stackEnv, stackEnvFile } from '../test/stack-env.js';
import { DEMO_SENSORS, createDemoFleet, demoSimulatorArgs } from './demo-fleet.js';
import { setEnvFileValue } from './env-file.js';
import { StatusBoard } from './status.js';

const STATUS_EVERY_MS = 5_000;
/** The controller's gRPC port past the services' health ports (base + 100 + i). */
const CONTROLLER_PORT_OFFSET = 50;
/** The iotctl context the local stack writes. */
const LOCAL_CONTEXT = 'local';

function run(command: string, args: string[], env?: NodeJS.ProcessEnv) {
  execFileSync(command, args, { cwd: repoRoot, stdio: 'inherit', env });
}

console.log('Starting the local stack (RabbitMQ + PostgreSQL/PostGIS)…');
run(path.join(repoRoot, 'utils/stack.sh'), ['up']);
const stack = stackEnv();
const env: NodeJS.ProcessEnv = { ...process.env, ...stack };
run(process.execPath, ['--import', 'tsx', 'cmd/migrate/main.ts'], {
  ...env,
  IOT_LOG_LEVEL: 'warn',
});

const logDir = path.join(activeStackDir(), 'logs');
const basePort = Number(stack.IOT_STACK_BASE_PORT) + 100;
// The demo machines' controller (the simulator), on a port beside the services' own; its
// address goes to .stack/env for anyone who wants to point a target at it.
const controllerAddress = `localhost:${basePort + CONTROLLER_PORT_OFFSET}`;
setEnvFileValue(stackEnvFile(), 'IOT_MACHINE_CONTROLLER_ADDRESS', controllerAddress);
env.IOT_MACHINE_CONTROLLER_PORT = String(basePort + CONTROLLER_PORT_OFFSET);

const pool = createPool(stack.IOT_DATABASE_URL ?? '', { applicationName: 'npm-start', max: 2 });
await createDemoFleet(pool, controllerAddress);
const services: [string, string[]][] = [
  ['sensor-registry', []],
  ['sensor-measurements-ingester', []],
  ['sensor-logs-ingester', []],
  ['sensor-analytics', []],
  ['sensor-alarms', []],
  ['machine-controller', []],
  ['iot-api', []],
  ['sensor-simulation', ['--provision', ...demoSimulatorArgs()]],
];
const children: ServiceProcess[] = await Promise.all(
  services.map(([name, args], i) =>
    launchService({
      name,
      args,
      env,
      httpPort: basePort + i,
      repoRoot,
      logFile: path.join(logDir, `${name}.log`),
      waitReady: false,
    }),
  ),
);
const port = (name: string) => children.find((c) => c.name === name)?.httpPort ?? 0;

// `npx iotctl login admin` in another terminal then needs nothing else.
const iotctlConfig = defaultConfigPath(process.env);
await writeContext(
  iotctlConfig,
  LOCAL_CONTEXT,
  { api: stack.IOT_API_URL ?? '', ca: readFileSync(stack.IOT_TLS_CA_FILE ?? '', 'utf8') },
  { makeCurrent: true },
);

console.log(`
The platform is running. Where to look:
  API (HTTPS)          ${stack.IOT_API_URL}/api/v1  (OpenAPI: /api/v1/openapi.json)
  iotctl               npx iotctl login ${stack.IOT_ADMIN_USERNAME}   (password: IOT_ADMIN_PASSWORD in .stack/env)
                       then: npx iotctl get sensors · npx iotctl sleep AAD-1123 --wait
                       (context "${LOCAL_CONTEXT}" in ${iotctlConfig})
  RabbitMQ management  ${stack.IOT_RABBITMQ_MANAGEMENT_URL}  (user ${stack.IOT_RABBITMQ_ADMIN_USERNAME}, password in .stack/env)
  PostgreSQL           set -a; . .stack/env; set +a; psql "$IOT_DATABASE_URL"
  features             SELECT * FROM sensor_feature ORDER BY window_start DESC LIMIT 5;
                       (compressor-2's bearing starts to fail 2 minutes in: see "diagnosis")
  alarms               npx iotctl get alarms · npx iotctl watch AAD-1124 · npx iotctl get fleet
                       (compressor-2's controller is told reduce-speed: npx iotctl get rules compressor-2)
  machine controller   ${controllerAddress} (gRPC, TLS); what it received: http://127.0.0.1:${port('machine-controller')}/actions
  service logs         ${path.relative(repoRoot, logDir)}/<service>.log
  sensor log files     ${path.relative(repoRoot, stack.IOT_SENSOR_LOG_DIR ?? '')}/
  metrics              ${children
    .filter((c) => c.name !== 'iot-api')
    .map((c) => `${c.name} :${c.httpPort}/metrics`)
    .join(', ')}, iot-api ${stack.IOT_API_URL}/metrics
Ctrl-C stops everything (the stack keeps running: utils/stack.sh down stops it).
`);

const board = new StatusBoard({
  pool,
  serials: DEMO_SENSORS.map((s) => s.serial),
  since: new Date(),
  simulatorPort: port('sensor-simulation'),
  ingesterPort: port('sensor-measurements-ingester'),
  analyticsPort: port('sensor-analytics'),
});
const timer = setInterval(() => {
  board.render().then(
    (text) => console.log(text),
    (error: Error) => console.log(`status unavailable: ${error.message}`),
  );
}, STATUS_EVERY_MS);

for (const child of children) {
  void child.exit.then((code) => {
    if (!stopping) console.log(`${child.name} exited (${code}); see ${child.logFile}`);
  });
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  console.log('\nStopping: sensors first, then the services…');
  // Sensors first, so the services can drain what they sent.
  const simulator = children.filter((c) => c.name === 'sensor-simulation');
  await Promise.all(simulator.map((c) => c.stop()));
  await Promise.all(children.filter((c) => !simulator.includes(c)).map((c) => c.stop()));
  await pool.end();
  console.log('Stopped.');
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stop().then(() => process.exit(0)));
}
// Never leave a child behind, whatever ends this process.
process.once('exit', () => {
  for (const child of children) child.child.kill('SIGKILL');
});
