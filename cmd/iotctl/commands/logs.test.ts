import { describe, expect, it } from 'vitest';
import type { LogLine } from '../api-types.js';
import { ApiResponseError, NetworkError } from '../errors.js';
import { FakeClient, NOW, capture } from '../test-support.js';
import { runLogs, type LogsOptions } from './logs.js';

const line = (second: number, message: string, fields: LogLine['fields'] = {}): LogLine => ({
  time: `2024-05-01T12:00:0${second}.000Z`,
  level: 'info',
  message,
  fields,
});

function setup(pages: (LogLine[] | Error)[], stopAfter = pages.length) {
  const interrupt = new AbortController();
  let polls = 0;
  const client = new FakeClient().on('GET /sensors/AAD-1123/logs', () => {
    const page = pages[polls++];
    if (polls >= stopAfter) setTimeout(() => interrupt.abort(), 0); // Ctrl-C after the last page
    if (page instanceof Error) throw page;
    return { items: page ?? [] };
  });
  const deps = {
    stdout: capture(),
    stderr: capture(),
    client,
    now: () => NOW,
    signal: interrupt.signal,
  };
  return { client, deps };
}

const options = (over: Partial<LogsOptions> = {}): LogsOptions => ({
  serial: 'AAD-1123',
  follow: false,
  output: 'table',
  pollIntervalMs: 1,
  ...over,
});

describe('logs', () => {
  it('prints the lines once, with their fields', async () => {
    const { deps } = setup([[line(1, 'booted', { firmware: '1.4.2', note: 'two words' })]]);
    await runLogs(options({ limit: 50 }), deps);
    expect(deps.stdout.text).toBe(
      '2024-05-01T12:00:01.000Z  INFO   booted  firmware=1.4.2 note="two words"\n',
    );
  });

  it('-f polls with since = the last line, until Ctrl-C, which is a clean end', async () => {
    const { client, deps } = setup([[line(1, 'a')], [], [line(2, 'b'), line(3, 'c')], []]);
    await expect(runLogs(options({ follow: true }), deps)).resolves.toBeUndefined();
    expect(
      deps.stdout.text
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ').at(-1)),
    ).toEqual(['a', 'b', 'c']);
    expect(client.calls.map((c) => c.query?.since)).toEqual([
      undefined,
      line(1, '').time,
      line(1, '').time,
      line(3, '').time,
    ]);
  });

  it('-f -o json: one object per line', async () => {
    const { deps } = setup([[line(1, 'a')], [line(2, 'b')]]);
    await runLogs(options({ follow: true, output: 'json' }), deps);
    expect(
      deps.stdout.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([line(1, 'a'), line(2, 'b')]);
  });

  it('-f keeps going through a network blip, warning once', async () => {
    const blip = new NetworkError('cannot reach https://x: connection refused');
    const { deps } = setup([[line(1, 'a')], blip, blip, [line(2, 'b')]]);
    await runLogs(options({ follow: true }), deps);
    expect(deps.stderr.text).toBe(
      'warning: cannot reach https://x: connection refused; retrying\n',
    );
    expect(deps.stdout.text).toContain('  b\n');
  });

  it('-f stops on an API error (exit 1)', async () => {
    const { deps } = setup(
      [[line(1, 'a')], new ApiResponseError(401, 'unauthenticated', 'token expired')],
      99,
    );
    await expect(runLogs(options({ follow: true }), deps)).rejects.toThrow('token expired');
  });
});

describe('logs -f at the millisecond boundary', () => {
  it('prints a line the API sends again (same millisecond) only once, but a new one there', async () => {
    const { deps } = setup([
      [line(1, 'a')],
      [line(1, 'a')], // the database had 12:00:01.000400, the API printed .000
      [line(1, 'a'), line(1, 'b'), line(2, 'c')],
      [line(2, 'c')],
    ]);
    await runLogs(options({ follow: true }), deps);
    expect(
      deps.stdout.text
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ').at(-1)),
    ).toEqual(['a', 'b', 'c']);
  });
});
