// The bench end to end, as a user runs it: the smoke scenario as a real process against the
// local stack. It must finish, account for every sample and write its JSON and chart. Speed
// is not asserted: that is what the numbers are for.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testPool } from '../utils/test/database.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const resultsDir = path.join(benchDir, 'results');

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/main.ts', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

function newestResult(since: number): string | undefined {
  if (!existsSync(resultsDir)) return undefined;
  return readdirSync(resultsDir)
    .filter((f) => f.startsWith('smoke-') && f.endsWith('.json'))
    .map((f) => path.join(resultsDir, f))
    .filter((f) => statSync(f).mtimeMs >= since)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

describe('npm run bench', () => {
  it('runs the smoke scenario: nothing lost or doubled, JSON and SVG written', async () => {
    const started = Date.now();
    const { code, output } = await runBench([
      '--scenario',
      'smoke',
      // 5 s, not the scenario's 3: on a loaded machine the fleet may connect late in a 3 s run.
      '--duration',
      '5',
      '--warmup',
      '1',
      '--history',
      '20',
    ]);
    expect(code, output).toBe(0);

    const file = newestResult(started);
    expect(file, output).toBeDefined();
    const result = JSON.parse(readFileSync(file as string, 'utf8')) as Record<string, unknown>;
    for (const field of [
      'samplesPerSecond',
      'copyCeilingSamplesPerSecond',
      'rowCopyCeilingSamplesPerSecond',
      'ratioToCopyCeiling',
      'bytesPerSample',
      'lostSamples',
      'duplicateSamples',
    ]) {
      expect(typeof result[field], field).toBe('number');
    }
    const latency = result.latencyMs as Record<string, unknown>;
    for (const q of ['p50', 'p95', 'p99', 'max']) expect(typeof latency[q], q).toBe('number');
    const reads = result.readLatencyMs as Record<string, unknown>;
    for (const q of ['p50', 'p99']) expect(reads[q], q).toBeGreaterThan(0);
    // The stored blocks took some bytes, and every window read returned samples.
    expect(result.bytesPerSample).toBeGreaterThan(0);
    expect((result.reads as { samplesPerWindow: number }).samplesPerWindow).toBeGreaterThan(0);
    // With 20 s of history before the 3 s run, the reads spread over full 10 s windows.
    expect((result.reads as { windowSeconds: number }).windowSeconds).toBe(10);
    expect(result.scenario).toBe('smoke');
    expect(result.lostSamples).toBe(0);
    expect(result.duplicateSamples).toBe(0);
    // Both smoke sensors were seen connected after the warm-up.
    expect((result.sensorsConnected as { max: number } | null)?.max).toBe(2);
    expect(result.samplesPerSecond).toBeGreaterThan(0);
    expect(result.copyCeilingSamplesPerSecond).toBeGreaterThan(0);
    expect(result.rowCopyCeilingSamplesPerSecond).toBeGreaterThan(0);
    expect(Array.isArray(result.processes)).toBe(true);
    expect(Array.isArray(result.timeline)).toBe(true);
    expect(existsSync((file as string).replace(/\.json$/, '.svg'))).toBe(true);
    // It ran in a database of its own, and left none behind.
    expect(output).toMatch(/database iot_bench_/);
    const pool = testPool();
    const { rows } = await pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_database WHERE datname LIKE 'iot\\_bench\\_%'",
    );
    await pool.end();
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('refuses a bad flag with the usage line and exit code 2', async () => {
    const { code, output } = await runBench(['--scenario', 'huge']);
    expect(code).toBe(2);
    expect(output).toContain('usage: npm run bench');
  });
});
