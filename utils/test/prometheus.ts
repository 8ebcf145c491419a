// A real Prometheus (Debian's package, installed by utils/stack.sh) for end-to-end proofs: the
// committed dependencies/prometheus/prometheus.yml with each job's target moved to where the
// test's processes listen, checked by promtool, then served on a free port.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { launchService, type ServiceProcess } from '../processes.js';
import { freePort } from '../free-port.js';
import { repoRoot } from './stack-env.js';

const run = promisify(execFile);
export const PROMETHEUS_DIR = path.join(repoRoot, 'dependencies/prometheus');

interface ScrapeConfig {
  job_name: string;
  static_configs: { targets: string[] }[];
  tls_config?: { ca_file?: string; server_name?: string };
}
interface PrometheusConfig {
  global: { scrape_interval: string; scrape_timeout: string; evaluation_interval: string };
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

/**
 * The committed config, scraping every `scrapeMs` (the test's run is seconds long) the
 * `host:port` given for each job, TLS checked against `caFile` for localhost. Every job must
 * get a target: a job the test cannot feed is a job the proof does not cover.
 */
export function localConfig(
  targets: Readonly<Record<string, string>>,
  options: { scrapeMs: number; caFile: string },
): string {
  const config = parse(
    readFileSync(path.join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8'),
  ) as PrometheusConfig;
  config.global.scrape_interval = `${options.scrapeMs}ms`;
  config.global.scrape_timeout = `${options.scrapeMs}ms`;
  config.global.evaluation_interval = `${options.scrapeMs}ms`;
  config.rule_files = config.rule_files.map((file) => path.join(PROMETHEUS_DIR, file));
  for (const job of config.scrape_configs) {
    const target = targets[job.job_name];
    if (!target) throw new Error(`no local target for Prometheus job ${job.job_name}`);
    job.static_configs = [{ targets: [target] }];
    if (job.tls_config) job.tls_config = { ca_file: options.caFile, server_name: 'localhost' };
  }
  const unknown = Object.keys(targets).filter(
    (name) => !config.scrape_configs.some((job) => job.job_name === name),
  );
  if (unknown.length > 0) throw new Error(`prometheus.yml has no job ${unknown.join(', ')}`);
  return stringify(config);
}

/** `promtool check config` on a config file; throws with promtool's output when it fails. */
export async function promtoolCheck(kind: 'config' | 'rules', file: string): Promise<string> {
  const { stdout, stderr } = await run('promtool', ['check', kind, file]).catch(
    (error: { stdout?: string; stderr?: string }) => {
      throw new Error(
        `promtool check ${kind} ${file}:\n${error.stdout ?? ''}${error.stderr ?? ''}`,
      );
    },
  );
  return stdout + stderr;
}

export interface PrometheusServer {
  readonly url: string;
  readonly process: ServiceProcess;
  /** A range query, as Grafana sends a time series panel's: the result's series. */
  queryRange(expr: string, from: Date, to: Date, stepS: number): Promise<PromSeries[]>;
  stop(): Promise<void>;
}

export interface PromSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export async function startPrometheus(configText: string): Promise<PrometheusServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'iot-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, configText);
  await promtoolCheck('config', configFile);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = await launchService({
    repoRoot,
    name: 'prometheus',
    httpPort: port,
    env: { PATH: globalThis.process.env.PATH },
    command: [
      'prometheus',
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    readyCheck: async () => (await fetch(`${url}/-/ready`)).ok,
  });
  return {
    url,
    process,
    async queryRange(expr, from, to, stepS) {
      const body = new URLSearchParams({
        query: expr,
        start: String(from.getTime() / 1000),
        end: String(to.getTime() / 1000),
        step: String(stepS),
      });
      const res = await fetch(`${url}/api/v1/query_range`, { method: 'POST', body });
      const answer = (await res.json()) as {
        status: string;
        error?: string;
        data?: { result: PromSeries[] };
      };
      if (answer.status !== 'success') throw new Error(`${expr}: ${answer.error ?? res.status}`);
      return answer.data?.result ?? [];
    },
    async stop() {
      await process.stop();
    },
  };
}
