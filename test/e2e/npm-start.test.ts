// `npm start` as a newcomer runs it: the status block shows the three demo sensors being
// stored, and Ctrl-C (SIGINT) stops everything and exits 0.
import { spawn } from 'node:child_process';
import { expect, it, vi } from 'vitest';
import { repoRoot } from '../../utils/test/stack-env.js';

it('npm start runs the demo fleet and stops cleanly on Ctrl-C', async () => {
  const start = spawn(process.execPath, ['--import', 'tsx', 'utils/start/main.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  start.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  start.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => start.once('exit', resolve));
  try {
    // A status block in which every demo sensor has samples stored.
    await vi.waitFor(
      () => {
        const blocks = output.split('── ');
        const last = blocks.at(-1) ?? '';
        for (const serial of ['AAD-1123', 'AAD-1124', 'TRK-0007']) {
          const row = last.split('\n').find((line) => line.startsWith(serial));
          const stored = Number(row?.trim().split(/\s+/)[4]);
          expect(stored, `${serial} in:\n${last}`).toBeGreaterThan(0);
        }
      },
      { timeout: 90_000, interval: 500 },
    );
    expect(output).toContain('RabbitMQ management');
    start.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');
  } finally {
    start.kill('SIGKILL');
  }
});
