import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Reader } from '../deps.js';
import { UsageError } from '../errors.js';
import { FakeClient, NOW, capture } from '../test-support.js';
import { runDeleteSensor } from './delete.js';

function setup(tty: boolean) {
  const client = new FakeClient().on('DELETE /sensors/AAD-1123', undefined);
  const stdin = new PassThrough() as PassThrough & Reader;
  stdin.isTTY = tty;
  stdin.setRawMode = () => stdin;
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  const deps = {
    stdout: capture(),
    stderr,
    stdin,
    client,
    now: () => NOW,
    signal: new AbortController().signal,
  };
  return { client, deps, stdin };
}

describe('delete sensor', () => {
  it('with --yes deletes without asking', async () => {
    const { client, deps } = setup(false);
    await runDeleteSensor({ serial: 'AAD-1123', yes: true }, deps);
    expect(client.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['DELETE /sensors/AAD-1123']);
    expect(deps.stdout.text).toBe('sensor AAD-1123 deleted\n');
  });

  it('off a terminal without --yes is a usage error, and nothing is deleted', async () => {
    const { client, deps } = setup(false);
    await expect(runDeleteSensor({ serial: 'AAD-1123', yes: false }, deps)).rejects.toThrow(
      UsageError,
    );
    expect(client.calls).toEqual([]);
  });

  it.each([
    ['the serial typed back deletes', 'AAD-1123\n', true],
    ['anything else does not', 'y\n', false],
  ])('on a terminal: %s', async (_name, typed, deleted) => {
    const { client, deps, stdin } = setup(true);
    const done = runDeleteSensor({ serial: 'AAD-1123', yes: false }, deps);
    stdin.write(typed);
    if (deleted) await done;
    else await expect(done).rejects.toThrow('"y" is not AAD-1123; nothing deleted');
    expect(client.calls.length).toBe(deleted ? 1 : 0);
  });
});
