import { describe, expect, it } from 'vitest';
import type { Command, CommandStatus } from './api-types.js';
import type { RunDeps } from './deps.js';
import {
  ApiResponseError,
  CommandFailedError,
  InterruptedError,
  NetworkError,
  WaitTimeoutError,
} from './errors.js';
import { runSensorCommand, type SensorCommandOptions } from './sensor-command.js';
import type { SseEvent } from './sse.js';
import { FakeClient, capture, NOW } from './test-support.js';

const ID = '3f2a9c1e-0000-4000-8000-000000000001';

function cmd(statuses: CommandStatus[], reason: string | null = null): Command {
  const status = statuses.at(-1) ?? 'queued';
  return {
    id: ID,
    serial: 'AAD-1123',
    type: 'sleep',
    sampleFrequencyHz: null,
    status,
    reason,
    issuedAt: NOW.toISOString(),
    expiresAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    issuedBy: 'admin',
    history: statuses.map((s, i) => ({
      status: s,
      reason: i === statuses.length - 1 ? reason : null,
      at: NOW.toISOString(),
    })),
  };
}

const event = (command: Command): SseEvent => ({
  type: 'command',
  data: JSON.stringify(command),
  id: '',
});

function setup(issued: Command, stream: SseEvent[][] = [], hang = false) {
  const client = new FakeClient().on('POST /sensors/AAD-1123/commands', issued);
  const rounds = [...stream];
  client.streams = async function* (signal) {
    yield* rounds.shift() ?? [];
    if (hang) {
      // A quiet stream: nothing more until the caller gives up.
      await new Promise((_, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason as Error)),
      );
    }
  };
  const interrupt = new AbortController();
  const deps: RunDeps & { stdout: ReturnType<typeof capture> } = {
    stdout: capture(),
    stderr: capture(),
    client,
    now: () => NOW,
    signal: interrupt.signal,
  };
  return { client, deps, interrupt };
}

const options = (over: Partial<SensorCommandOptions> = {}): SensorCommandOptions => ({
  serial: 'AAD-1123',
  type: 'sleep',
  wait: false,
  timeoutMs: 60_000,
  output: 'table',
  ...over,
});

describe('without --wait', () => {
  it('prints the id and status and sends only what was given', async () => {
    const { client, deps } = setup(cmd(['queued', 'sent']));
    await runSensorCommand(options({ expiresInSeconds: 30 }), deps);
    expect(client.calls).toEqual([
      {
        method: 'POST',
        path: '/sensors/AAD-1123/commands',
        body: { type: 'sleep', expiresInSeconds: 30 },
        query: undefined,
      },
    ]);
    expect(deps.stdout.text).toBe(`command ${ID} sent\n`);
  });

  it('says when the sensor has never connected', async () => {
    const { deps } = setup(cmd(['queued']));
    await runSensorCommand(options(), deps);
    expect(deps.stdout.text).toBe(
      `command ${ID} queued\n(AAD-1123 has not subscribed yet; the command goes out when it next announces itself)\n`,
    );
  });

  it('-o json prints the Command as the API returned it', async () => {
    const issued = cmd(['queued', 'sent']);
    const { deps } = setup(issued);
    await runSensorCommand(options({ output: 'json' }), deps);
    expect(JSON.parse(deps.stdout.text)).toEqual(issued);
  });
});

describe('with --wait', () => {
  it('prints each step until applied', async () => {
    const { client, deps } = setup(cmd(['queued', 'sent']), [
      [event(cmd(['queued', 'sent'])), event(cmd(['queued', 'sent', 'applied']))],
    ]);
    const final = await runSensorCommand(options({ wait: true }), deps);
    expect(final.status).toBe('applied');
    expect(deps.stdout.text).toBe(
      [`command ${ID} queued`, `command ${ID} sent`, `command ${ID} applied`, ''].join('\n'),
    );
    expect(client.calls.at(-1)).toEqual({ method: 'EVENTS', path: `/commands/${ID}/events` });
  });

  it('shows a step the stream skipped, from the history', async () => {
    const { deps } = setup(cmd(['queued']), [[event(cmd(['queued', 'sent', 'applied']))]]);
    await runSensorCommand(options({ wait: true }), deps);
    expect(deps.stdout.text).toBe(
      [`command ${ID} queued`, `command ${ID} sent`, `command ${ID} applied`, ''].join('\n'),
    );
  });

  it('ignores other event types', async () => {
    const { deps } = setup(cmd(['sent']), [
      [{ type: 'ping', data: 'x', id: '' }, event(cmd(['sent', 'applied']))],
    ]);
    await expect(runSensorCommand(options({ wait: true }), deps)).resolves.toMatchObject({
      status: 'applied',
    });
  });

  it('opens the stream again if it ends before a final status', async () => {
    const { client, deps } = setup(cmd(['sent']), [
      [event(cmd(['sent']))],
      [event(cmd(['sent', 'applied']))],
    ]);
    await runSensorCommand(options({ wait: true }), deps);
    expect(client.calls.filter((c) => c.method === 'EVENTS')).toHaveLength(2);
  });

  it('keeps waiting through an API restart (no answer, then a 503) and ends applied', async () => {
    const { client, deps } = setup(cmd(['sent']));
    const rounds: (() => AsyncGenerator<SseEvent>)[] = [
      async function* () {
        yield event(cmd(['sent']));
        await Promise.resolve();
        throw new NetworkError('connect ECONNREFUSED 127.0.0.1:8443');
      },
      async function* () {
        await Promise.resolve();
        throw new ApiResponseError(503, 'unavailable', 'starting');
      },
      async function* () {
        await Promise.resolve();
        yield event(cmd(['sent', 'applied']));
      },
    ];
    client.streams = () => (rounds.shift() as () => AsyncGenerator<SseEvent>)();
    const final = await runSensorCommand(options({ wait: true }), deps);
    expect(final.status).toBe('applied');
    expect(rounds).toHaveLength(0);
  });

  it('a 4xx while waiting still fails at once', async () => {
    const { client, deps } = setup(cmd(['sent']));
    client.streams = async function* () {
      await Promise.resolve();
      throw new ApiResponseError(401, 'unauthenticated', 'log in again');
    };
    await expect(runSensorCommand(options({ wait: true }), deps)).rejects.toThrow('log in again');
  });

  it.each([
    [
      'rejected, with the reason',
      cmd(['sent', 'rejected'], '333.3 Hz gives no whole number of samples'),
      `AAD-1123 rejected command ${ID}: 333.3 Hz gives no whole number of samples`,
      `command ${ID} rejected: 333.3 Hz gives no whole number of samples\n`,
    ],
    [
      'expired',
      cmd(['sent', 'expired'], 'no acknowledgement'),
      `command ${ID} expired before AAD-1123 applied it`,
      `command ${ID} expired: no acknowledgement\n`,
    ],
  ])('%s fails (exit 1)', async (_name, final, message, lastLine) => {
    const { deps } = setup(cmd(['sent']), [[event(final)]]);
    const error = await runSensorCommand(options({ wait: true }), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect((error as CommandFailedError).exitCode).toBe(1);
    expect((error as Error).message).toBe(message);
    expect(deps.stdout.text.endsWith(lastLine)).toBe(true);
  });

  it('-o json prints the final Command only, even when it failed', async () => {
    const final = cmd(['sent', 'rejected'], 'busy');
    const { deps } = setup(cmd(['sent']), [[event(final)]]);
    await expect(runSensorCommand(options({ wait: true, output: 'json' }), deps)).rejects.toThrow();
    expect(JSON.parse(deps.stdout.text)).toEqual(final);
  });

  it('gives up after --timeout, saying where the command got to', async () => {
    const { deps } = setup(cmd(['sent']), [[event(cmd(['sent']))]], true);
    const error = await runSensorCommand(options({ wait: true, timeoutMs: 50 }), deps).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toBe(
      `gave up after 50ms: command ${ID} is still sent; see 'iotctl get command ${ID}'`,
    );
  });

  it('Ctrl-C stops waiting with exit 130', async () => {
    const { deps, interrupt } = setup(cmd(['sent']), [[]], true);
    setTimeout(() => interrupt.abort(new InterruptedError()), 20);
    const error = await runSensorCommand(options({ wait: true }), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error).toMatchObject({
      exitCode: 130,
      message: expect.stringMatching(/^interrupted: command .* is still sent/) as unknown,
    });
  });

  it('set_sample_frequency sends the rate', async () => {
    const { client, deps } = setup({ ...cmd(['sent']), type: 'set_sample_frequency' });
    await runSensorCommand(options({ type: 'set_sample_frequency', sampleFrequencyHz: 200 }), deps);
    expect(client.calls[0]?.body).toEqual({ type: 'set_sample_frequency', sampleFrequencyHz: 200 });
  });
});
