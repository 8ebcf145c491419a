import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { runService, type RunningService, type ServiceDefinition } from './run-service.js';

/** A stand-in for `process`: its signals are emitted by the test. */
class FakeProcess extends EventEmitter {
  readonly env = {};
  stderrText = '';
  readonly stderr = { write: (text: string) => (this.stderrText += text) };
}

interface Logged {
  level: number;
  msg: string;
  step?: string;
}

function define(
  start: () => RunningService,
  extra: Partial<ServiceDefinition<{ logLevel: 'info' }>> = {},
) {
  const logged: Logged[] = [];
  const definition: ServiceDefinition<{ logLevel: 'info' }> = {
    name: 'svc',
    loadConfig: () => ({ logLevel: 'info' }),
    start: () => Promise.resolve().then(start),
    createLogger: () =>
      pino(
        { level: 'debug' },
        { write: (line: string) => logged.push(JSON.parse(line) as Logged) },
      ),
    ...extra,
  };
  return { definition, logged };
}

/** Waits until the runner listens for signals (it starts first). */
async function started(proc: FakeProcess): Promise<void> {
  while (proc.listenerCount('SIGTERM') === 0) await new Promise((wake) => setImmediate(wake));
}

const never = () => new Promise<void>(() => undefined);

describe('runService', () => {
  it('runs the stop steps in order on SIGTERM and exits 0', async () => {
    const order: string[] = [];
    const step = (name: string) => ({ name, run: () => void order.push(name) });
    const { definition } = define(() => ({
      stopSteps: [step('drain'), step('flush'), step('close broker'), step('close pool')],
    }));
    const proc = new FakeProcess();
    const code = runService(definition, proc);
    await started(proc);
    proc.emit('SIGTERM', 'SIGTERM');
    expect(await code).toBe(0);
    expect(order).toEqual(['drain', 'flush', 'close broker', 'close pool']);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('exits 1 with a log line naming the step when the deadline passes', async () => {
    const order: string[] = [];
    let aborted = false;
    const { definition, logged } = define(
      () => ({
        stopSteps: [
          { name: 'drain', run: () => void order.push('drain') },
          {
            name: 'flush',
            run: (signal) => {
              signal.addEventListener('abort', () => (aborted = true));
              return never();
            },
          },
          { name: 'close pool', run: () => void order.push('close pool') },
        ],
      }),
      { stopDeadlineMs: 50 },
    );
    const proc = new FakeProcess();
    const code = runService(definition, proc);
    await started(proc);
    proc.emit('SIGINT', 'SIGINT');
    expect(await code).toBe(1);
    expect(order).toEqual(['drain']);
    expect(aborted).toBe(true);
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'stop deadline exceeded; exiting anyway', step: 'flush' }),
    );
  });

  it('runs the remaining steps after one fails, then exits 1', async () => {
    const order: string[] = [];
    const { definition } = define(() => ({
      stopSteps: [
        {
          name: 'drain',
          run: () => {
            throw new Error('channel closed');
          },
        },
        { name: 'close pool', run: () => void order.push('close pool') },
      ],
    }));
    const proc = new FakeProcess();
    const code = runService(definition, proc);
    await started(proc);
    proc.emit('SIGTERM', 'SIGTERM');
    expect(await code).toBe(1);
    expect(order).toEqual(['close pool']);
  });

  it('reacts to the first signal only; a second one aborts the optional waiting', async () => {
    let runs = 0;
    const { definition } = define(() => ({
      stopSteps: [
        {
          name: 'drain outboxes',
          run: (signal) => {
            runs += 1;
            return new Promise<void>((resolve) =>
              signal.addEventListener('abort', () => resolve()),
            );
          },
        },
      ],
    }));
    const proc = new FakeProcess();
    const code = runService(definition, proc);
    await started(proc);
    proc.emit('SIGTERM', 'SIGTERM');
    while (runs === 0) await new Promise((wake) => setImmediate(wake));
    proc.emit('SIGINT', 'SIGINT');
    expect(await code).toBe(0);
    expect(runs).toBe(1);
  });

  it('stops when the service finishes by itself', async () => {
    const order: string[] = [];
    const { definition, logged } = define(() => ({
      stopSteps: [{ name: 'summary', run: () => void order.push('summary') }],
      finished: Promise.resolve('duration elapsed'),
    }));
    expect(await runService(definition, new FakeProcess())).toBe(0);
    expect(order).toEqual(['summary']);
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'stopping' }));
  });

  it('exits 2 on a config error, naming the service, without starting', async () => {
    let startedAtAll = false;
    const { definition } = define(
      () => {
        startedAtAll = true;
        return { stopSteps: [] };
      },
      {
        loadConfig: () => {
          throw new ConfigError(['IOT_AMQP_URL: required']);
        },
      },
    );
    const proc = new FakeProcess();
    expect(await runService(definition, proc)).toBe(2);
    expect(proc.stderrText).toBe('svc: invalid configuration:\n  IOT_AMQP_URL: required\n');
    expect(startedAtAll).toBe(false);
  });

  it('exits 1 when the start fails', async () => {
    const { definition, logged } = define(() => {
      throw new Error('ECONNREFUSED');
    });
    expect(await runService(definition, new FakeProcess())).toBe(1);
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'svc failed to start' }));
  });
});
