// One benchmark run, start to finish: the stack and a clean slate, the platform's processes,
// the simulated fleet for the set duration while /metrics and /proc are sampled each second,
// the wait until the database holds everything, the two ceilings, and the result.
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fleetSerials, provisionSensors } from '../internal/simulation/index.js';
import { createLogger } from '../internal/telemetry/index.js';
import { awaitStored, runSensorIds, type Accounting } from './accounting.js';
import { measureBrokerCeiling, type BrokerCeiling } from './broker-ceiling.js';
import { renderChart, type TimelinePoint } from './chart.js';
import { measureBlockCopyCeiling, measureRowCopyCeiling } from './copy-ceiling.js';
import { fillHistory } from './history.js';
import { bytesPerSample, readLatency } from './read-back.js';
import {
  ANALYTICS_METRICS,
  bucketDelta,
  bucketMax,
  bucketQuantile,
  rate,
  scrapeIngesters,
  type Snapshot,
} from './ingest-metrics.js';
import type { BenchOptions } from './options.js';
import type { Progress } from './progress.js';
import { formatTable, machine, writeResult, type BenchResult, type LatencyMs } from './report.js';
import { ResourceSampler, childrenOf, postmasterPid, rabbitBeamPid } from './resources.js';
import { startService, sleep, type Service } from './services.js';
import { activeStackDir } from '../utils/test/stack-env.js';
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
} from '../utils/run-stack.js';

/** The ingester's default group size (IOT_INGEST_BATCH_ROWS): the ceilings COPY as much. */
const SAMPLES_PER_STATEMENT = 50_000;
const DRAIN_TIMEOUT_MS = 120_000;
/**
 * The row layout COPYs about 0.5 M samples/s here: its reference ceiling is measured on at
 * most this many samples (a few seconds), not on everything a long run stored.
 */
const ROW_CEILING_MAX_SAMPLES = 2_000_000;

export interface RunContext {
  repoRoot: string;
  resultsDir: string;
  /** The bench's own environment; the stack's `.stack/env` is laid over it. */
  env: NodeJS.ProcessEnv;
  progress: Progress;
  stdout: (text: string) => void;
}

interface SimulatorSummary {
  totals: { samplesConfirmed: number; batchesConfirmed: number; samplesDropped: number };
  sensors: { serial: string }[];
}

export class BenchRun {
  private readonly services: Service[] = [];
  private stopping: Promise<void> | undefined;
  private admin: ReturnType<typeof rabbitAdmin> | undefined;
  /** The run's own database, dropped at shutdown. */
  private database: string | undefined;
  /** The serials this run provisioned: forgotten again at shutdown. */
  private devices: string[] = [];

  constructor(
    private readonly options: BenchOptions,
    private readonly ctx: RunContext,
  ) {}

  async execute(): Promise<{ result: BenchResult; files: { json: string; svg: string } }> {
    const { options, ctx } = this;
    const { progress, repoRoot } = ctx;
    const startedAt = new Date();
    const runId = Date.now().toString(36).toUpperCase().slice(-6);
    const serialPrefix = `BENCH${runId}`;
    const summaryFile = path.join(os.tmpdir(), `iot-bench-${runId}-summary.json`);

    progress.phase('utils/stack.sh up');
    await stackUp(repoRoot);
    const stackEnv = await readStackEnv();
    this.database = `iot_bench_${runId.toLowerCase()}`;
    progress.phase(`database ${this.database}`);
    await createRunDatabase(repoRoot, this.database);
    const stack: Record<string, string> = {
      ...stackEnv,
      IOT_DATABASE_URL: withDatabase(required(stackEnv, 'IOT_DATABASE_URL'), this.database),
      IOT_DATABASE_OWNER_URL: withDatabase(
        required(stackEnv, 'IOT_DATABASE_OWNER_URL'),
        this.database,
      ),
    };
    const env: NodeJS.ProcessEnv = { ...ctx.env, ...stack };
    progress.phase('migrations');
    await migrate(repoRoot, env);
    this.admin = rabbitAdmin(stack);
    await purgeRunQueues(this.admin);

    const pool = new pg.Pool({
      connectionString: required(stack, 'IOT_DATABASE_URL'),
      application_name: 'bench',
      max: 2,
    });
    try {
      progress.phase(`starting sensor-registry and ${options.replicas} ingester(s)`);
      this.services.push(await startService(repoRoot, 'sensor-registry', env));
      const ingesters = await Promise.all(
        Array.from({ length: options.replicas }, (_, i) =>
          startService(repoRoot, 'sensor-measurements-ingester', env, {
            label: `ingester-${i + 1}`,
          }),
        ),
      );
      this.services.push(...ingesters);
      const ports = ingesters.map((s) => s.httpPort);
      const analytics = await Promise.all(
        Array.from({ length: options.analytics }, (_, i) =>
          startService(repoRoot, 'sensor-analytics', env, { label: `analytics-${i + 1}` }),
        ),
      );
      this.services.push(...analytics);
      const analyticsPorts = analytics.map((s) => s.httpPort);

      const sampler = new ResourceSampler();
      for (const service of [...ingesters, ...analytics]) {
        sampler.watch({ name: service.name, pids: () => [service.pid] });
      }
      const beam = rabbitBeamPid(required(stack, 'IOT_RABBITMQ_NODE'));
      const postmaster = postmasterPid(activeStackDir());
      if (beam !== undefined) sampler.watch({ name: 'rabbitmq', pids: () => [beam] });
      else progress.phase("RabbitMQ's beam.smp not found: not sampled");
      if (postmaster === undefined) progress.phase('postmaster.pid not found: not sampled');
      else {
        sampler.watch({
          name: 'postgresql',
          pids: () => [postmaster, ...childrenOf(postmaster)],
        });
      }
      sampler.sample();

      progress.phase(
        `${options.sensors} sensors × ${options.frequencyHz} Hz for ${options.durationS} s ` +
          `(serials ${serialPrefix}-…)`,
      );
      // Provision the broker users first, so the run's clock starts when the devices power on.
      this.devices = fleetSerials(serialPrefix, options.sensors);
      await provisionSensors(
        this.admin,
        this.devices,
        required(stack, 'IOT_DEVICE_SECRET'),
        createLogger('bench', 'error'),
      );
      const snapshots: Snapshot[] = [await scrapeIngesters(ports)];
      const analyticsFrom = await scrapeIngesters(analyticsPorts, ANALYTICS_METRICS);
      const simulator = await startService(repoRoot, 'sensor-simulation', env, {
        label: 'simulator',
        waitReady: false,
        args: [
          '--serial-prefix',
          serialPrefix,
          '--sensors',
          String(options.sensors),
          '--frequency',
          String(options.frequencyHz),
          '--duration',
          String(options.durationS),
          '--batch-interval',
          `${options.batchIntervalS}s`,
          '--summary-file',
          summaryFile,
          // A recording played in a loop: the simulator must not be what limits the rate.
          '--signal',
          'looped',
        ],
      });
      this.services.push(simulator);
      sampler.watch({ name: 'simulator', pids: () => [simulator.pid] });
      const simStartMs = Date.now();
      snapshots[0] = { ...(snapshots[0] as Snapshot), atMs: simStartMs };

      // Sensors with a broker connection, sampled each second from the moment all of them
      // first were (provisioning and the connect ramp come before): did any drop afterwards?
      const connected: number[] = [];
      let allConnectedAfterS: number | undefined;
      let lastMeasured = 0;

      // Once a second until told to stop: /metrics, /proc, the progress line.
      let ticking = true;
      let phase = 'sending';
      const ticker = (async () => {
        while (ticking) {
          await sleep(1000 - ((Date.now() - simStartMs) % 1000));
          const snapshot = await scrapeIngesters(ports);
          const previous = snapshots.at(-1) as Snapshot;
          snapshots.push(snapshot);
          sampler.sample();
          // Only while the fleet is measuring (its samples counter moves): at the end of
          // --duration the sensors stop measuring, drain and disconnect on purpose.
          // The tick at the end of --duration is excluded too: there the sensors emit their
          // final batches (the counter moves) while they already disconnect.
          const beforeTheEnd = snapshot.atMs - simStartMs < (options.durationS - 0.5) * 1000;
          if (phase === 'sending' && beforeTheEnd) {
            const fleet = await fleetState(simulator.httpPort);
            const measuring = fleet !== undefined && fleet.measured > lastMeasured;
            if (fleet) lastMeasured = fleet.measured;
            if (measuring && fleet.connected === options.sensors) {
              allConnectedAfterS ??= (snapshot.atMs - simStartMs) / 1000;
            }
            if (measuring && allConnectedAfterS !== undefined) connected.push(fleet.connected);
          }
          const p99 = bucketQuantile(bucketDelta(previous, snapshot), 0.99);
          progress.update(
            Math.min(options.durationS, (snapshot.atMs - simStartMs) / 1000),
            options.durationS,
            `${phase}  ${Math.round(rate(previous, snapshot)).toLocaleString('en-US')} samples/s` +
              (p99 === undefined ? '' : `  p99 ≤ ${+(p99 * 1000).toFixed(1)} ms`),
          );
        }
      })();

      const simExit = await simulator.exit;
      const simEndMs = Date.now();
      if (simExit !== 0) {
        ticking = false;
        await ticker;
        throw new Error(`the simulator exited with ${simExit}:\n${simulator.output()}`);
      }
      const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as SimulatorSummary;
      await rm(summaryFile, { force: true });
      phase = 'draining';
      const accounting: Accounting = await awaitStored(
        pool,
        serialPrefix,
        summary.totals.samplesConfirmed,
        DRAIN_TIMEOUT_MS,
      );
      ticking = false;
      await ticker;
      progress.clear();
      const final = await scrapeIngesters(ports);
      const analyticsResult =
        analytics.length > 0
          ? await awaitAnalytics(analyticsPorts, analyticsFrom, accounting.samplesStored, progress)
          : null;
      // The processes' CPU up to here: the analytics catch-up counts for the analytics.
      sampler.sample();
      progress.phase('reading back: bytes per sample, 10 s windows');
      const storage = await bytesPerSample(pool, accounting.samplesStored);
      if (options.historyS > 0) {
        progress.phase(`history: ${options.historyS} s of blocks per sensor before the run`);
        await fillHistory({
          ownerUrl: required(stack, 'IOT_DATABASE_OWNER_URL'),
          sensorIds: await runSensorIds(pool, serialPrefix),
          frequencyHz: options.frequencyHz,
          seconds: options.historyS,
          beforeUs: startedAt.getTime() * 1000,
        });
      }
      const reads = await readLatency(pool, serialPrefix);
      const processes = sampler.usage();

      progress.phase('stopping the platform');
      await this.stopServices();

      const steady = steadyState(snapshots, simStartMs + options.warmupS * 1000, simEndMs);
      const latencyMs = latencyOf(bucketDelta(steady.from, final));
      const timeline = timelineOf(snapshots, simStartMs);

      const serials = summary.sensors.map((s) => s.serial);
      const batches = summary.totals.batchesConfirmed;
      let brokerCeiling: BrokerCeiling | null = null;
      if (batches > 0) {
        progress.phase(`RabbitMQ ceiling: ${batches.toLocaleString('en-US')} messages`);
        await purgeRunQueues(this.admin);
        try {
          brokerCeiling = await measureBrokerCeiling({
            amqpUrl: required(stack, 'IOT_AMQP_URL'),
            logger: createLogger('bench', 'error'),
            messages: batches,
            samplesPerMessage: Math.max(1, Math.round(summary.totals.samplesConfirmed / batches)),
            serials,
            frequencyHz: options.frequencyHz,
          });
        } finally {
          await purgeRunQueues(this.admin);
        }
      }

      const samples = Math.max(1, accounting.samplesStored);
      const ceilingInput = {
        ownerUrl: required(stack, 'IOT_DATABASE_OWNER_URL'),
        sensorIds: await runSensorIds(pool, serialPrefix),
        frequencyHz: options.frequencyHz,
        samplesPerStatement: SAMPLES_PER_STATEMENT,
      };
      progress.phase(`block COPY ceiling: ${samples.toLocaleString('en-US')} samples`);
      const copyCeiling = await measureBlockCopyCeiling({ ...ceilingInput, samples });
      const rowSamples = Math.min(samples, ROW_CEILING_MAX_SAMPLES);
      progress.phase(`row COPY ceiling: ${rowSamples.toLocaleString('en-US')} samples`);
      const rowCopyCeiling = await measureRowCopyCeiling({ ...ceilingInput, samples: rowSamples });

      const result: BenchResult = {
        scenario: options.scenario,
        samplesPerSecond: steady.samplesPerSecond,
        copyCeilingSamplesPerSecond: copyCeiling.samplesPerSecond,
        rowCopyCeilingSamplesPerSecond: rowCopyCeiling.samplesPerSecond,
        ratioToCopyCeiling:
          copyCeiling.samplesPerSecond > 0
            ? steady.samplesPerSecond / copyCeiling.samplesPerSecond
            : 0,
        bytesPerSample: storage,
        lostSamples: accounting.lostSamples,
        duplicateSamples: accounting.duplicateSamples,
        latencyMs,
        readLatencyMs: { p50: reads.p50, p99: reads.p99 },
        analytics: analyticsResult && {
          ...analyticsResult,
          cpuSecondsPerMillionSamples:
            analyticsResult.samples > 0
              ? (processes
                  .filter((p) => p.name.startsWith('analytics-'))
                  .reduce((sum, p) => sum + p.cpuSeconds, 0) *
                  1e6) /
                analyticsResult.samples
              : 0,
        },
        sensorsConnected: connected.length
          ? {
              allConnectedAfterS: allConnectedAfterS ?? null,
              min: Math.min(...connected),
              max: Math.max(...connected),
              samples: connected.length,
            }
          : null,
        latencyNote:
          'publish→commit from the ingesters’ iot_ingest_latency_seconds histogram after the ' +
          'warm-up: each figure is the upper bound of its bucket',
        startedAt: startedAt.toISOString(),
        runId,
        options,
        steadyStateSeconds: steady.seconds,
        accounting,
        copyCeiling,
        rowCopyCeiling,
        reads,
        brokerCeiling,
        machine: machine(),
        processes,
        timeline,
      };
      const files = await writeResult(
        ctx.resultsDir,
        result,
        renderChart(
          `${options.scenario}: ${options.sensors} × ${options.frequencyHz} Hz, ` +
            `${options.replicas} ingester(s) — ${startedAt.toISOString()}`,
          timeline,
          options.warmupS,
        ),
      );
      ctx.stdout(formatTable(result));
      ctx.stdout(`\n${files.json}\n${files.svg}\n`);
      return { result, files };
    } finally {
      // The pool first: dropping the run's database closes whatever is still connected.
      await pool.end();
      await this.shutdown();
    }
  }

  /**
   * SIGTERM every process still running, then drop the run's database, purge the queues and
   * forget the run's devices (users and command queues); the stack stays up.
   */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      await this.stopServices();
      if (this.database) {
        await dropRunDatabase(this.ctx.repoRoot, this.database).catch(() => undefined);
      }
      const admin = this.admin;
      if (!admin) return;
      await purgeRunQueues(admin).catch(() => undefined);
      for (const serial of this.devices) await admin.deleteDevice(serial).catch(() => undefined);
    })();
    return this.stopping;
  }

  private async stopServices(): Promise<void> {
    // The simulator first (it feeds the others), then the consumers.
    const order = [...this.services].reverse();
    this.services.length = 0;
    for (const service of order) await service.stop('SIGTERM');
  }
}

/**
 * Waits until the analytics replicas have taken in every stored sample (their queue drains
 * after the ingest does), then reads their publish→features-stored latency over the run.
 */
async function awaitAnalytics(
  ports: readonly number[],
  from: Snapshot,
  samplesStored: number,
  progress: Progress,
) {
  const started = Date.now();
  let to = await scrapeIngesters(ports, ANALYTICS_METRICS);
  while (to.samples - from.samples < samplesStored && Date.now() - started < DRAIN_TIMEOUT_MS) {
    progress.phase(
      `analytics catching up: ${(to.samples - from.samples).toLocaleString('en-US')} samples`,
    );
    await sleep(1000);
    to = await scrapeIngesters(ports, ANALYTICS_METRICS);
  }
  return {
    replicas: ports.length,
    samples: to.samples - from.samples,
    caughtUpAfterS: (Date.now() - started) / 1000,
    latencyMs: latencyOf(bucketDelta(from, to)),
  };
}

/** The rate between the first snapshot after the warm-up and the last one before the end. */
function steadyState(snapshots: readonly Snapshot[], fromMs: number, toMs: number) {
  const first = snapshots[0] as Snapshot;
  const last = snapshots[snapshots.length - 1] as Snapshot;
  const from = snapshots.find((s) => s.atMs >= fromMs) ?? first;
  const to = [...snapshots].reverse().find((s) => s.atMs <= toMs) ?? last;
  const [a, b] = to.atMs > from.atMs ? [from, to] : [first, last];
  return { from: a, samplesPerSecond: rate(a, b), seconds: (b.atMs - a.atMs) / 1000 };
}

function latencyOf(buckets: ReturnType<typeof bucketDelta>): LatencyMs {
  const finite = buckets.filter((b) => Number.isFinite(b.le)).at(-1)?.le ?? 0;
  const toMs = (s: number | undefined) =>
    s === undefined ? 0 : (Number.isFinite(s) ? s : finite) * 1000;
  return {
    p50: toMs(bucketQuantile(buckets, 0.5)),
    p95: toMs(bucketQuantile(buckets, 0.95)),
    p99: toMs(bucketQuantile(buckets, 0.99)),
    max: toMs(bucketMax(buckets)),
  };
}

function timelineOf(snapshots: readonly Snapshot[], startMs: number): TimelinePoint[] {
  const points: TimelinePoint[] = [];
  for (let i = 1; i < snapshots.length; i++) {
    const [previous, current] = [snapshots[i - 1] as Snapshot, snapshots[i] as Snapshot];
    const p99 = bucketQuantile(bucketDelta(previous, current), 0.99);
    points.push({
      t: Math.round((current.atMs - startMs) / 100) / 10,
      samplesPerSecond: Math.round(rate(previous, current)),
      p99Ms: p99 === undefined ? null : (Number.isFinite(p99) ? p99 : 30) * 1000,
    });
  }
  return points;
}

/** From the simulator's /metrics: sensors connected, and samples measured so far. */
async function fleetState(
  port: number,
): Promise<{ connected: number; measured: number } | undefined> {
  try {
    const lines = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n');
    const sum = (prefix: string) =>
      lines
        .filter((line) => line.startsWith(prefix))
        .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
    return {
      connected: sum('iot_sim_connected{'),
      measured: sum('iot_sim_samples_measured_total{'),
    };
  } catch {
    return undefined;
  }
}
