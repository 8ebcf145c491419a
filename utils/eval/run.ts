// One `npm run eval`: the local stack (`utils/stack.sh up`), a database of the run's own (so
// the developer's data is never touched, and dropped afterwards), the migrations, the real
// sensor-registry, sensor-measurements-ingester and sensor-analytics processes, a target per
// machine with its parameters, and one simulator process in which every recording plays on a
// sensor of its own, all at once, in real time (timestamps are device time, so the pipeline
// sees exactly what a real sensor would send). A fault recording's sensor plays its machine's
// healthy recording first, which teaches the baseline, then the fault until the end; the
// healthy recording itself plays alone for HEALTHY_S.
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { RabbitAdmin } from '../../internal/pubsub/index.js';
import {
  createRunDatabase,
  dropRunDatabase,
  migrate,
  purgeRunQueues,
  rabbitAdmin,
  readStackEnv,
  required,
  stackUp,
  withDatabase,
} from '../run-stack.js';
import { launchService, type ServiceProcess } from '../processes.js';
import { ManifestError, type EvalMachine, type EvalRecording, type Manifest } from './manifest.js';
import type { EvalRow } from './report.js';
import { scoreRecording, type ScoredWindow } from './score.js';

/**
 * Windows the baseline learns from, instead of the service's 60. The CWRU healthy recording
 * is 5 s long and loops: 20 one-second windows take every part of it four times, cut at a
 * different phase each pass (60,985 samples is no whole number of windows), so the spread
 * learned is the recording's own; 60 would only repeat the same 5 s twelve times. A live
 * machine needs the default's minute to see its load and speed vary; a loop has nothing more
 * to show.
 */
export const BASELINE_WINDOWS = 20;
/** Seconds the healthy recording plays before the one under test: the baseline, then 10 s scored. */
export const TEACH_S = 30;
/** How long a healthy recording plays on its own (issue #10). */
export const HEALTHY_S = 120;
/** Every sensor plays this long: HEALTHY_S, which leaves a fault recording 90 s after TEACH_S. */
export const RUN_S = HEALTHY_S;
/** How long the last windows may take to be analysed once the simulator has stopped. */
const SETTLE_TIMEOUT_MS = 60_000;
const POLL_MS = 1_000;
/** The simulator's own start (tsx, provisioning, connecting) and drain, beyond RUN_S. */
const SIMULATOR_SLACK_MS = 120_000;

export interface EvalContext {
  repoRoot: string;
  env: NodeJS.ProcessEnv;
  /** Progress, one line at a time (stderr). */
  log: (line: string) => void;
}

interface Plan {
  readonly recording: EvalRecording;
  readonly serial: string;
  /** The `--replay` list. */
  readonly replay: string;
  /** Seconds after the sensor's first sample where the recording under test starts. */
  readonly onsetS: number | undefined;
  sensorId?: number;
}

export function planRecordings(manifest: Manifest, runId: string): Plan[] {
  return manifest.recordings.map((recording, i) => {
    const serial = `EVAL${runId}-${i + 1}`;
    for (const file of [recording.path, recording.machine.healthy]) {
      if (file.includes(',')) {
        throw new ManifestError(
          `manifest.json: ${file}: a file name with a comma cannot be replayed`,
        );
      }
    }
    // The machine's healthy recording under test plays alone; anything else after it.
    return recording.path === recording.machine.healthy
      ? { recording, serial, replay: recording.path, onsetS: undefined }
      : {
          recording,
          serial,
          replay: `${recording.machine.healthy}@${TEACH_S},${recording.path}`,
          onsetS: TEACH_S,
        };
  });
}

export class EvalRun {
  private readonly services: ServiceProcess[] = [];
  private database: string | undefined;
  private admin: RabbitAdmin | undefined;
  private pool: pg.Pool | undefined;
  private serials: string[] = [];
  private closed = false;

  constructor(private readonly ctx: EvalContext) {}

  async execute(manifest: Manifest): Promise<EvalRow[]> {
    const { repoRoot, log } = this.ctx;
    const runId = Date.now().toString(36).toUpperCase().slice(-6);
    const plans = planRecordings(manifest, runId);
    this.serials = plans.map((p) => p.serial);

    log('utils/stack.sh up');
    await stackUp(repoRoot);
    const stackEnv = await readStackEnv();
    this.database = `iot_eval_${runId.toLowerCase()}`;
    log(`database ${this.database}`);
    await createRunDatabase(repoRoot, this.database);
    const stack: Record<string, string> = {
      ...stackEnv,
      IOT_DATABASE_URL: withDatabase(required(stackEnv, 'IOT_DATABASE_URL'), this.database),
      IOT_DATABASE_OWNER_URL: withDatabase(
        required(stackEnv, 'IOT_DATABASE_OWNER_URL'),
        this.database,
      ),
    };
    const env: NodeJS.ProcessEnv = {
      ...this.ctx.env,
      ...stack,
      IOT_LOG_LEVEL: 'warn',
      IOT_ANALYTICS_BASELINE_WINDOWS: String(BASELINE_WINDOWS),
    };
    log('migrations');
    await migrate(repoRoot, env);
    this.admin = rabbitAdmin(stack);
    await purgeRunQueues(this.admin);
    this.pool = new pg.Pool({
      connectionString: required(stack, 'IOT_DATABASE_OWNER_URL'),
      application_name: 'eval',
      max: 2,
    });
    const pool = this.pool;

    const targets = new Map<string, number>();
    for (const machine of manifest.machines) {
      targets.set(machine.name, await createTarget(pool, `eval-${runId}-${machine.name}`, machine));
    }
    // Enrolled beforehand on their machine's target, so the very first window knows it.
    for (const plan of plans) {
      plan.sensorId = await createSensor(
        pool,
        plan.serial,
        plan.recording.sampleRateHz,
        targets.get(plan.recording.machine.name) ?? 0,
      );
    }

    log('starting sensor-registry, sensor-measurements-ingester, sensor-analytics');
    for (const name of ['sensor-registry', 'sensor-measurements-ingester', 'sensor-analytics']) {
      this.services.push(await launchService({ repoRoot, name, env }));
    }

    const summaryFile = path.join(os.tmpdir(), `iot-eval-${runId}-summary.json`);
    log(
      `playing ${plans.length} recording(s) at once for ${RUN_S} s ` +
        `(fault recordings after ${TEACH_S} s of their machine's healthy one)`,
    );
    const simulator = await launchService({
      repoRoot,
      name: 'sensor-simulation',
      env,
      waitReady: false,
      args: [
        '--provision',
        '--duration',
        String(RUN_S),
        '--summary-file',
        summaryFile,
        ...plans.flatMap((p) => [
          `--sensor=${p.serial}:${p.recording.sampleRateHz}`,
          `--replay=${p.replay}`,
        ]),
      ],
    });
    this.services.push(simulator);
    const code = await Promise.race([
      simulator.exit,
      sleep(RUN_S * 1000 + SIMULATOR_SLACK_MS).then(() => 'timeout' as const),
    ]);
    if (code !== 0) {
      throw new Error(`sensor-simulation ended with ${String(code)}:\n${simulator.output()}`);
    }
    const confirmed = await batchesConfirmed(summaryFile);
    await rm(summaryFile, { force: true });

    log('waiting for the last windows to be analysed');
    await this.settle(plans, confirmed);

    const rows: EvalRow[] = [];
    for (const plan of plans) {
      const sensorId = plan.sensorId ?? 0;
      const first = await firstSampleMs(pool, sensorId);
      const onsetMs =
        plan.onsetS === undefined || first === undefined ? undefined : first + plan.onsetS * 1000;
      const score = scoreRecording(await windowsOf(pool, sensorId), onsetMs);
      rows.push({
        file: plan.recording.file,
        machine: plan.recording.machine.name,
        expected: plan.recording.expected,
        serial: plan.serial,
        ...score,
      });
    }
    return rows;
  }

  /** Until every batch the simulator had confirmed has its window, or SETTLE_TIMEOUT_MS. */
  private async settle(plans: readonly Plan[], confirmed: Map<string, number>): Promise<void> {
    const pool = this.pool;
    if (pool === undefined) return;
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      let behind = 0;
      for (const plan of plans) {
        const windows = await countRows(pool, 'sensor_feature', plan.sensorId ?? 0);
        if (windows < (confirmed.get(plan.serial) ?? 0)) behind++;
      }
      if (behind === 0) return;
      if (Date.now() > deadline) {
        this.ctx.log(`${behind} sensor(s) still missing windows; reporting what was analysed`);
        return;
      }
      await sleep(POLL_MS);
    }
  }

  /** Stops the processes, removes the device users and drops the run's database. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const service of [...this.services].reverse()) await service.stop();
    await this.pool?.end();
    if (this.admin !== undefined) {
      for (const serial of this.serials) await this.admin.deleteDevice(serial).catch(() => {});
      await purgeRunQueues(this.admin).catch(() => {});
    }
    if (this.database !== undefined) await dropRunDatabase(this.ctx.repoRoot, this.database);
  }
}

async function createTarget(pool: pg.Pool, name: string, machine: EvalMachine): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO target (organization_id, name, kind, rpm, bearing_balls, bearing_ball_mm,
       bearing_pitch_mm, bearing_angle_deg, iso_class)
     VALUES ((SELECT id FROM organization WHERE name = 'default'), $1, 'fixed', $2, $3, $4, $5,
       $6, $7)
     RETURNING id`,
    [
      name.slice(0, 100),
      machine.rpm,
      machine.bearing?.balls ?? null,
      machine.bearing?.ballMm ?? null,
      machine.bearing?.pitchMm ?? null,
      machine.bearing?.angleDeg ?? null,
      machine.isoClass ?? null,
    ],
  );
  return Number(rows[0]?.id);
}

async function createSensor(
  pool: pg.Pool,
  serial: string,
  hz: number,
  targetId: number,
): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO sensor (serial_number, organization_id, sample_frequency, target_id)
     VALUES ($1, (SELECT id FROM organization WHERE name = 'default'), $2, $3) RETURNING id`,
    [serial, hz, targetId],
  );
  return Number(rows[0]?.id);
}

async function countRows(
  pool: pg.Pool,
  table: 'sensor_feature' | 'sensor_measurement',
  sensorId: number,
): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${table} WHERE sensor_id = $1`,
    [sensorId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Device time of the sensor's first stored sample: where its replay list started. */
async function firstSampleMs(pool: pg.Pool, sensorId: number): Promise<number | undefined> {
  const { rows } = await pool.query<{ ms: number | null }>(
    `SELECT (extract(epoch FROM min(start_time)) * 1000)::float8 AS ms
       FROM sensor_measurement WHERE sensor_id = $1`,
    [sensorId],
  );
  return rows[0]?.ms ?? undefined;
}

async function windowsOf(pool: pg.Pool, sensorId: number): Promise<ScoredWindow[]> {
  const { rows } = await pool.query<{
    start_ms: number;
    diagnosis: string | null;
    analysed_ms: number;
  }>(
    `SELECT (extract(epoch FROM window_start) * 1000)::float8 AS start_ms, diagnosis,
            (extract(epoch FROM analysed_at) * 1000)::float8 AS analysed_ms
       FROM sensor_feature WHERE sensor_id = $1 ORDER BY window_start`,
    [sensorId],
  );
  return rows.map((r) => ({
    startMs: r.start_ms,
    diagnosis: r.diagnosis,
    analysedMs: r.analysed_ms,
  }));
}

/** Batches each sensor had confirmed by the broker, from the simulator's summary file. */
async function batchesConfirmed(summaryFile: string): Promise<Map<string, number>> {
  const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as {
    sensors: { serial: string; batchesConfirmed: number }[];
  };
  return new Map(summary.sensors.map((s) => [s.serial, s.batchesConfirmed]));
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));
