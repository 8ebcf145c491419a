// The result of a run: one JSON document (headline fields first, then everything measured),
// the table printed at the end, and where both go on disk.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Accounting } from './accounting.js';
import type { BrokerCeiling } from './broker-ceiling.js';
import type { TimelinePoint } from './chart.js';
import type { CopyCeiling } from './copy-ceiling.js';
import type { ReadLatency } from './read-back.js';
import type { BenchOptions } from './options.js';
import type { ProcessUsage } from './resources.js';

export interface LatencyMs {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface BenchResult {
  scenario: string;
  samplesPerSecond: number;
  /** COPY of the same batches as blocks: the database's ceiling for this write. */
  copyCeilingSamplesPerSecond: number;
  /** COPY of the same samples a row each (the layout before blocks), for reference. */
  rowCopyCeilingSamplesPerSecond: number;
  ratioToCopyCeiling: number;
  /** The block table with its TOAST and indexes, over the samples it holds. */
  bytesPerSample: number;
  lostSamples: number;
  duplicateSamples: number;
  /** Upper bounds of the ingester histogram's buckets over the steady state. */
  latencyMs: LatencyMs;
  /** 10 s windows of one sensor read back through sensor_samples after the run. */
  readLatencyMs: { p50: number; p99: number };
  /** sensor-analytics beside the ingest (--analytics N): its cost and publish→features lag. */
  analytics: {
    replicas: number;
    samples: number;
    caughtUpAfterS: number;
    /** Bucket bounds over the whole run, warm-up included. */
    latencyMs: LatencyMs;
    cpuSecondsPerMillionSamples: number;
  } | null;
  /** Sensors connected, sampled each second from when all first were (null: never all). */
  sensorsConnected: {
    allConnectedAfterS: number | null;
    min: number;
    max: number;
    samples: number;
  } | null;
  latencyNote: string;
  startedAt: string;
  runId: string;
  options: BenchOptions;
  /** Seconds of steady state the rate was measured over. */
  steadyStateSeconds: number;
  accounting: Accounting;
  copyCeiling: CopyCeiling;
  rowCopyCeiling: CopyCeiling;
  reads: ReadLatency;
  brokerCeiling: BrokerCeiling | null;
  machine: {
    cpuModel: string;
    cpus: number;
    memoryGb: number;
    platform: string;
    node: string;
  };
  processes: ProcessUsage[];
  timeline: TimelinePoint[];
}

export function machine(): BenchResult['machine'] {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  };
}

/** bench/results/<scenario>-<timestamp>.json and .svg; returns both paths. */
export async function writeResult(
  resultsDir: string,
  result: BenchResult,
  svg: string,
): Promise<{ json: string; svg: string }> {
  await mkdir(resultsDir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const base = path.join(resultsDir, `${result.scenario}-${stamp}`);
  await writeFile(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(`${base}.svg`, svg);
  return { json: `${base}.json`, svg: `${base}.svg` };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `≤ ${+n.toFixed(1)} ms`;

export function formatTable(result: BenchResult): string {
  const o = result.options;
  const rows: [string, string][] = [
    [
      'scenario',
      `${result.scenario}: ${o.sensors} × ${o.frequencyHz} Hz, ${o.durationS} s ` +
        `(warm-up ${o.warmupS} s), ${o.replicas} ingester${o.replicas === 1 ? '' : 's'}`,
    ],
    ['samples/s (steady state)', int(result.samplesPerSecond)],
    ['block COPY ceiling samples/s', int(result.copyCeilingSamplesPerSecond)],
    ['row COPY ceiling samples/s', int(result.rowCopyCeilingSamplesPerSecond)],
    ['ratio to COPY ceiling', result.ratioToCopyCeiling.toFixed(2)],
    ['bytes per sample', result.bytesPerSample.toFixed(2)],
    [
      'read 10 s windows p50/p99',
      `${result.readLatencyMs.p50.toFixed(1)} / ${result.readLatencyMs.p99.toFixed(1)} ms ` +
        `(${int(result.reads.samplesPerWindow)} samples each)`,
    ],
    [
      'analytics',
      result.analytics
        ? `${result.analytics.replicas} replica(s): ${result.analytics.cpuSecondsPerMillionSamples.toFixed(2)} ` +
          `CPU-s per M samples, publish→features p50/p99 ${ms(result.analytics.latencyMs.p50)} / ` +
          `${ms(result.analytics.latencyMs.p99)}`
        : 'not run',
    ],
    [
      'RabbitMQ ceiling',
      result.brokerCeiling
        ? `${int(result.brokerCeiling.messagesPerSecond)} msg/s = ` +
          `${int(result.brokerCeiling.samplesPerSecond)} samples/s`
        : 'not measured',
    ],
    [
      'latency p50/p95/p99/max',
      `${ms(result.latencyMs.p50)} / ${ms(result.latencyMs.p95)} / ${ms(result.latencyMs.p99)} / ` +
        `${ms(result.latencyMs.max)} (histogram buckets)`,
    ],
    [
      'confirmed / stored',
      `${int(result.accounting.samplesConfirmed)} / ${int(result.accounting.samplesStored)}` +
        `${result.accounting.drainTimedOut ? ' (drain timed out)' : ''}`,
    ],
    [
      'sensors connected',
      result.sensorsConnected
        ? `all ${int(result.options.sensors)} after ${result.sensorsConnected.allConnectedAfterS ?? '-'} s, ` +
          `then min ${int(result.sensorsConnected.min)}`
        : `never all ${int(result.options.sensors)}`,
    ],
    ['lost samples', int(result.lostSamples)],
    ['duplicate samples', int(result.duplicateSamples)],
  ];
  for (const p of result.processes) {
    rows.push([
      `${p.name} CPU / peak RSS`,
      `${p.cpuSeconds.toFixed(1)} s / ${int(p.peakRssMb)} MB`,
    ]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}
