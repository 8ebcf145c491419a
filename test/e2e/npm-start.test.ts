// `npm start` as a newcomer runs it: the status block shows the three demo sensors being
// stored, `iotctl login` in another terminal needs nothing but the username, and Ctrl-C
// (SIGINT) stops everything and exits 0.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it, vi } from 'vitest';
import { testPool } from '../../utils/test/database.js';
import { iotctlJson, runIotctl } from '../../utils/test/iotctl.js';
import { repoRoot, stackEnv } from '../../utils/test/stack-env.js';

/** How long a failed run's clean-up waits for npm start to stop its services. */
const STOP_WAIT_MS = 40_000;

it('npm start runs the demo fleet and stops cleanly on Ctrl-C', async () => {
  // An operator may have put a demo sensor to sleep in an earlier session, and the platform
  // would (rightly) keep it asleep; this test wants all three measuring.
  const pool = testPool();
  await pool.query(
    `UPDATE sensor SET desired_state = NULL, desired_sample_frequency = NULL
     WHERE serial_number = ANY($1)`,
    [['AAD-1123', 'AAD-1124', 'TRK-0007']],
  );
  await pool.end();
  // The operator's iotctl config, as npm start writes it (kept away from the machine's own).
  const configHome = mkdtempSync(path.join(tmpdir(), 'iot-npm-start-'));
  const start = spawn(process.execPath, ['--import', 'tsx', 'utils/start/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, XDG_CONFIG_HOME: configHome },
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
    expect(output).toContain('npx iotctl login');

    // npm start does not wait for its services; on a busy machine the API may still be
    // starting when the sensors' data is already stored, and an operator would try again.
    const { IOT_ADMIN_USERNAME = '', IOT_ADMIN_PASSWORD = '' } = stackEnv();
    await vi.waitFor(
      async () => {
        const login = await runIotctl(
          configHome,
          ['login', IOT_ADMIN_USERNAME, '--password-stdin'],
          `${IOT_ADMIN_PASSWORD}\n`,
        );
        expect(login.stderr).toBe('');
        expect(login.code).toBe(0);
      },
      { timeout: 60_000, interval: 1_000 },
    );
    const sensors = await iotctlJson<{ serial: string }[]>(configHome, ['get', 'sensors']);
    expect(sensors.map((s) => s.serial)).toEqual(
      expect.arrayContaining(['AAD-1123', 'AAD-1124', 'TRK-0007']),
    );
    start.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');
  } finally {
    // On a failure too: Ctrl-C first, so npm start stops its children (SIGKILL would
    // orphan them, holding the demo's ports for the next run).
    if (start.exitCode === null) {
      start.kill('SIGINT');
      await Promise.race([exited, new Promise((wake) => setTimeout(wake, STOP_WAIT_MS))]);
    }
    start.kill('SIGKILL');
  }
}, 240_000);
