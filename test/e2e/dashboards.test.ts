// The dashboards proven without Grafana: the real services and a simulated fleet (a machine with
// a failing bearing and a vehicle with GPS) fill the local stack and a real Prometheus scrapes
// them; then every provisioned SQL query runs as iot_readonly, expanded as Grafana would expand
// it, over three ranges, and every PromQL expression runs against that Prometheus. Each must
// succeed, return rows or series, and have the columns its panel type draws.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEAD_LETTER_QUEUE, EXCHANGE, QUEUES } from '../../internal/routing/index.js';
import {
  calculateIntervalMs,
  expandSql,
  parseIntervalMs,
} from '../../utils/dashboards/grafana-macros.js';
import {
  isPromql,
  isSql,
  panelPoints,
  provisionedQueries,
  type PanelQuery,
} from '../../utils/dashboards/panel-queries.js';
import { rabbitAdmin, rawChannel, required } from '../../utils/test/brokers.js';
import { count, createSensor, testPool } from '../../utils/test/database.js';
import { pointIotctlAt, runIotctl } from '../../utils/test/iotctl.js';
import { MACHINE_RATE_HZ, MACHINE_RPM, SKF_6205 } from '../../utils/test/machines.js';
import { startService, startSimulation, type ServiceProcess } from '../../utils/test/processes.js';
import {
  localConfig,
  startPrometheus,
  type PrometheusServer,
} from '../../utils/test/prometheus.js';
import { stackEnv } from '../../utils/test/stack-env.js';

const env = stackEnv();
const workDir = mkdtempSync(path.join(tmpdir(), 'iot-e2e-dashboards-'));
const run = Date.now().toString(36).slice(-5).toUpperCase();
/** A press motor with an SKF 6205 whose outer race fails, and a truck with GPS. */
const MACHINE = `DSH${run}-M`;
const TRUCK = `DSH${run}-T`;
const PRESS_TARGET = `dash-press-${run}`;
const TRUCK_TARGET = `dash-truck-${run}`;
const MACHINE_HZ = MACHINE_RATE_HZ;
const TRUCK_HZ = 200;
const RPM = MACHINE_RPM;
const RUN_S = 20;
/** A short baseline, so anomaly scores start inside the run (the default learns an hour). */
const BASELINE_WINDOWS = 5;
/** Scrapes a second: the run lasts seconds, not the 15 s of the committed config. */
const SCRAPE_MS = 1_000;
/** The PostgreSQL data source's minimum interval (datasources.yaml timeInterval). */
const SQL_MIN_INTERVAL_MS = 1_000;

/**
 * The ranges each query runs over, ending at the run's end: a day and 90 days read the
 * features' aggregates; 15 minutes holds too many samples to read them all (the waveform reads
 * the blocks' extrema). "10 s of the run" lies inside the simulator's run.
 */
const RANGES_MS = { '15 minutes': 15 * 60_000, '24 hours': 86_400_000, '90 days': 90 * 86_400_000 };
/** Inside the run, short enough for the waveform to be read sample by sample. */
const RAW_RANGE = '10 s of the run';
const RAW_RANGE_S = [5, 15] as const;

/**
 * Queries allowed to come back empty from this run, and why: nothing in the run goes silent
 * for ten minutes, and the local stack has no TimescaleDB to compress with.
 */
const MAY_BE_EMPTY = new Set(['Silent for more than 10 minutes A', 'Compression (TimescaleDB) A']);

let pool: pg.Pool;
let readonly: pg.Pool;
let prometheus: PrometheusServer;
let services: ServiceProcess[] = [];
let runStart: Date;
let runEnd: Date;

async function createMachineTargets(): Promise<[number, number]> {
  const insert = `INSERT INTO target (organization_id, name, kind, rpm, bearing_balls,
      bearing_ball_mm, bearing_pitch_mm, bearing_angle_deg, iso_class)
    VALUES ((SELECT id FROM organization WHERE name = 'default'), $1, $2, $3, $4, $5, $6, $7, $8)
    RETURNING id`;
  const press = await pool.query<{ id: string }>(insert, [
    PRESS_TARGET,
    'fixed',
    RPM,
    9,
    7.94,
    39.04,
    0,
    'group2-rigid',
  ]);
  const truck = await pool.query<{ id: string }>(insert, [
    TRUCK_TARGET,
    'mobile',
    1500,
    null,
    null,
    null,
    null,
    'group2-flexible',
  ]);
  return [Number(press.rows[0]?.id), Number(truck.rows[0]?.id)];
}

/** Undecodable messages on two device keys: the dead-letter panels then have series. */
async function publishPoison(): Promise<void> {
  const { model, channel } = await rawChannel();
  for (const kind of ['measurements', 'logs']) {
    channel.publish(EXCHANGE, `sensor.${MACHINE}.${kind}`, Buffer.from('not a protobuf'));
  }
  await channel.close();
  await model.close();
}

/** An operator sets the machine sensor's rate (to the one it has) through iotctl: a command with a fate. */
async function commandMachine(api: ServiceProcess): Promise<void> {
  const xdg = path.join(workDir, 'xdg');
  await pointIotctlAt(xdg, api.httpPort);
  const login = await runIotctl(
    xdg,
    ['login', required(env, 'IOT_ADMIN_USERNAME'), '--password-stdin'],
    `${required(env, 'IOT_ADMIN_PASSWORD')}\n`,
  );
  expect(login.stderr).toBe('');
  // Without --wait: the panel counts commands by status, whichever status this one reaches.
  const command = await runIotctl(xdg, ['set-frequency', MACHINE, String(MACHINE_HZ)]);
  expect(command.stderr).toBe('');
  expect(command.code).toBe(0);
}

beforeAll(async () => {
  pool = testPool();
  readonly = new pg.Pool({ connectionString: required(env, 'IOT_DATABASE_READONLY_URL'), max: 2 });
  const admin = rabbitAdmin();
  for (const q of [...Object.values(QUEUES), DEAD_LETTER_QUEUE]) await admin.purgeQueue(q);

  const [press, truck] = await createMachineTargets();
  await createSensor(pool, MACHINE, { hz: MACHINE_HZ, targetId: press });
  await createSensor(pool, TRUCK, { hz: TRUCK_HZ, targetId: truck });

  const logDir = path.join(workDir, 'sensor-logs');
  const named: Record<string, ServiceProcess> = {};
  for (const name of [
    'sensor-registry',
    'sensor-measurements-ingester',
    'sensor-logs-ingester',
    'sensor-analytics',
    'sensor-alarms',
    'machine-controller',
  ]) {
    named[name] = await startService(name, {
      env: {
        IOT_SENSOR_LOG_DIR: logDir,
        IOT_ANALYTICS_BASELINE_WINDOWS: String(BASELINE_WINDOWS),
      },
    });
  }
  // One of its own: the stack's broker-auth answers RabbitMQ, its health port unnamed.
  named['broker-auth'] = await startService('broker-auth', { env: { IOT_BROKER_AUTH_PORT: '0' } });
  const api = await startService('iot-api', { https: true });
  services = [...Object.values(named), api];

  const local = (port: number) => `127.0.0.1:${port}`;
  const rabbit = new URL(required(env, 'IOT_RABBITMQ_PROMETHEUS_URL')).host;
  prometheus = await startPrometheus(
    localConfig(
      {
        ...Object.fromEntries(Object.entries(named).map(([name, s]) => [name, local(s.httpPort)])),
        'iot-api': `localhost:${api.httpPort}`,
        rabbitmq: rabbit,
        'rabbitmq-queues': rabbit,
      },
      { scrapeMs: SCRAPE_MS, caFile: required(env, 'IOT_TLS_CA_FILE') },
    ),
  );

  runStart = new Date();
  await publishPoison();
  const simulator = await startSimulation(path.join(workDir, 'summary.json'), RUN_S, [
    `--sensor=${MACHINE}:${MACHINE_HZ}`,
    `--rpm=${RPM}`,
    `--bearing=${SKF_6205}`,
    '--fault=bearing-outer@5',
    `--sensor=${TRUCK}:${TRUCK_HZ}:mobile`,
    '--rpm=1500',
  ]);
  services.push(simulator);
  await commandMachine(api);
  expect(await simulator.exit).toBe(0);

  // What the pipeline made of the run: windows with anomaly scores, the spectra, the truck's
  // track and the sensors' log lines.
  const machineId = `(SELECT id FROM sensor WHERE serial_number = '${MACHINE}')`;
  const arrived = async () =>
    Math.min(
      await count(
        pool,
        `SELECT count(*) AS n FROM sensor_feature
        WHERE sensor_id = ${machineId} AND anomaly_score IS NOT NULL`,
      ),
      await count(pool, `SELECT count(*) AS n FROM sensor_spectrum WHERE sensor_id = ${machineId}`),
      await count(pool, `SELECT count(*) AS n FROM target_location WHERE target_id = ${truck}`),
      await count(pool, `SELECT count(*) AS n FROM sensor_log WHERE sensor_id = ${machineId}`),
    );
  await vi.waitFor(async () => expect(await arrived()).toBeGreaterThan(0), {
    timeout: 60_000,
    interval: 1_000,
  });

  // The real sensor-alarms raises the bearing fault's alarm for the alarm panels.
  await vi.waitFor(
    async () =>
      expect(
        await count(
          pool,
          `SELECT count(*) AS n FROM alarm a JOIN sensor s ON s.id = a.sensor_id
            WHERE s.serial_number = $1`,
          [MACHINE],
        ),
      ).toBeGreaterThan(0),
    { timeout: 60_000, interval: 1_000 },
  );

  // A few scrapes after the last of it, so every rate has two points past the dead letters.
  await new Promise((wake) => setTimeout(wake, 5 * SCRAPE_MS));
  runEnd = new Date();
}, 240_000);

afterAll(async () => {
  for (const service of services.reverse()) await service.stop('SIGKILL');
  await prometheus?.stop();
  await pool?.end();
  await readonly?.end();
  const admin = rabbitAdmin();
  for (const serial of [MACHINE, TRUCK]) await admin.deleteDevice(serial);
});

/** What the rows must look like for the panel to draw them; a problem, or undefined. */
function shapeProblem(q: PanelQuery, result: pg.QueryResult): string | undefined {
  const columns = result.fields.map((f) => f.name);
  const rows = result.rows as Record<string, unknown>[];
  if (columns.length === 0) return 'no columns';
  if (q.format === 'time_series' || q.panelType === 'state-timeline') {
    if (columns[0] !== 'time') return `first column is ${columns[0]}, not time`;
    if (columns.length < 2) return 'no value column';
    const times = rows.map((r) => Number(r.time instanceof Date ? r.time.getTime() : r.time));
    if (times.some((t, i) => Number.isNaN(t) || (i > 0 && t < times[i - 1]!))) {
      return 'time is not ascending';
    }
  }
  if (q.panelType === 'geomap') {
    if (!columns.includes('latitude') || !columns.includes('longitude')) {
      return `no latitude/longitude in ${columns.join(', ')}`;
    }
    const bad = rows.find(
      (r) => Math.abs(Number(r.latitude)) > 90 || Math.abs(Number(r.longitude)) > 180,
    );
    if (bad) return `a position off the globe: ${JSON.stringify(bad)}`;
  }
  if (q.panelType === 'xychart' && columns.length < 2) return 'an x-y chart needs two columns';
  if (rows.length === 0) return MAY_BE_EMPTY.has(q.where) ? undefined : 'no rows';
  const values = columns.filter((c) => c !== 'time');
  if (!rows.some((r) => values.some((c) => r[c] !== null))) return 'every value is null';
  return undefined;
}

describe('the provisioned dashboards on real data', () => {
  it('run every SQL query as iot_readonly, expanded as Grafana does, over 10 s, 15 min, 24 h and 90 days', async () => {
    const queries = provisionedQueries().filter(isSql);
    expect(queries.length).toBeGreaterThan(20);
    const timescaledb =
      (await count(
        readonly,
        "SELECT count(*) AS n FROM pg_extension WHERE extname = 'timescaledb'",
      )) > 0;
    const problems: string[] = [];
    const ranges: [string, Date, Date][] = [
      ...Object.entries(RANGES_MS).map(([name, ms]): [string, Date, Date] => [
        name,
        new Date(runEnd.getTime() - ms),
        runEnd,
      ]),
      [
        RAW_RANGE,
        new Date(runStart.getTime() + RAW_RANGE_S[0] * 1000),
        new Date(runStart.getTime() + RAW_RANGE_S[1] * 1000),
      ],
    ];
    const rowCounts = new Map<string, number>();
    /** The waveform panel's lowest and highest point per range. */
    const waveformExtremes = new Map<string, [number, number]>();
    for (const [range, from, to] of ranges) {
      // The run's 10 s hold the sensor's waveform and features, not the fleet's commands.
      const inRange =
        range === RAW_RANGE ? queries.filter((q) => q.dashboard === 'Vibration') : queries;
      for (const q of inRange) {
        const minMs = q.minInterval ? parseIntervalMs(q.minInterval) : SQL_MIN_INTERVAL_MS;
        const intervalMs = calculateIntervalMs(from, to, panelPoints(q), minMs);
        const sql = expandSql(q.text, {
          from,
          to,
          intervalMs,
          timescaledb,
          variables: {
            sensor: { value: MACHINE },
            rate: { value: String(MACHINE_HZ) },
            target: { value: [PRESS_TARGET, TRUCK_TARGET], multi: true },
          },
        });
        try {
          const result = await readonly.query(sql);
          rowCounts.set(`${range} ${q.where}`, result.rowCount ?? 0);
          if (q.where === 'Raw waveform A') {
            const points = result.rows as { low: number; high: number }[];
            waveformExtremes.set(range, [
              Math.min(...points.map((p) => p.low)),
              Math.max(...points.map((p) => p.high)),
            ]);
          }
          const problem = shapeProblem(q, result);
          if (problem) problems.push(`${q.dashboard} / ${q.where} (${range}): ${problem}`);
        } catch (error) {
          problems.push(
            `${q.dashboard} / ${q.where} (${range}): ${(error as Error).message}\n${sql}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
    // Sample by sample over 10 s: far more points than the ten 1 s windows there.
    expect(rowCounts.get(`${RAW_RANGE} Raw waveform A`)).toBeGreaterThan(100);
    // Over every range holding the whole run, the waveform's extremes are the run's lowest and
    // highest stored sample, whether read sample by sample or from the blocks' extrema: no
    // spike is lost to downsampling.
    const { rows: truth } = await readonly.query<{ low: number; high: number }>(
      `SELECT min(v) AS low, max(v) AS high
       FROM sensor_measurement m CROSS JOIN LATERAL unnest(m.samples) AS v
       WHERE m.sensor_id = (SELECT id FROM sensor WHERE serial_number = $1)`,
      [MACHINE],
    );
    // float4 both: the panel's UNION with the features' branches widens them to float8.
    const float4 = (pair: readonly number[] | undefined) => pair?.map((v) => Math.fround(v));
    for (const range of Object.keys(RANGES_MS)) {
      expect(float4(waveformExtremes.get(range)), range).toEqual(
        float4([truth[0]!.low, truth[0]!.high]),
      );
    }
  });

  it('run every PromQL expression against Prometheus, which scraped the run, and get series', async () => {
    const queries = provisionedQueries().filter(isPromql);
    expect(queries.length).toBeGreaterThan(10);
    // Grafana's $__rate_interval: max($__interval + scrape interval, 4 × scrape interval).
    const stepS = SCRAPE_MS / 1000;
    const rateInterval = `${Math.max(stepS + stepS, 4 * stepS)}s`;
    const problems: string[] = [];
    for (const q of queries) {
      const expr = q.text.replaceAll('$__rate_interval', rateInterval);
      try {
        const series = await prometheus.queryRange(expr, runStart, runEnd, stepS);
        if (series.length === 0)
          problems.push(`${q.dashboard} / ${q.where}: no series for ${expr}`);
      } catch (error) {
        problems.push(`${q.dashboard} / ${q.where}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
