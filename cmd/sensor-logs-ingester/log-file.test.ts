import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../internal/routing/index.js';
import { DailyLogFile, formatLogLine, logFileName } from './log-file.js';

const line = (message: string, timeMs = Date.UTC(2024, 4, 1, 12, 0, 0, 123)): LogLine => ({
  schemaVersion: 1,
  serial: 'AAD-1123',
  timeMs,
  level: 'info',
  message,
  fields: { firmware: '1.4.2' },
});

async function readLines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((json) => JSON.parse(json) as unknown);
}

describe('formatLogLine', () => {
  it('is one JSON object with the documented keys, in order, and a newline', () => {
    expect(formatLogLine(line('booted "ok"\nnext'))).toBe(
      '{"time":"2024-05-01T12:00:00.123Z","serial":"AAD-1123","level":"info",' +
        '"message":"booted \\"ok\\"\\nnext","fields":{"firmware":"1.4.2"}}\n',
    );
  });

  it.each([
    [Date.UTC(2024, 0, 1, 0, 0, 0, 0), 'sensors-2024-01-01.log'],
    [Date.UTC(2024, 11, 31, 23, 59, 59, 999), 'sensors-2024-12-31.log'],
  ])('names the file of %d %s', (timeMs, name) => {
    expect(logFileName(timeMs)).toBe(name);
  });
});

describe('DailyLogFile', () => {
  let dir: string;
  let nowMs: number;
  let file: DailyLogFile;

  beforeEach(async () => {
    dir = path.join(await mkdtemp(path.join(tmpdir(), 'iot-log-file-')), 'logs');
    nowMs = Date.UTC(2024, 4, 1, 23, 59, 59, 0);
    file = new DailyLogFile(dir, { now: () => nowMs });
  });

  afterEach(async () => {
    await file.close();
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('creates the directory and appends batches as JSON lines', async () => {
    await file.append([line('one'), line('two')]);
    await file.append([line('three')]);
    const lines = await readLines(path.join(dir, 'sensors-2024-05-01.log'));
    expect(lines.map((l) => (l as { message: string }).message)).toEqual(['one', 'two', 'three']);
    expect(lines[0]).toEqual({
      time: '2024-05-01T12:00:00.123Z',
      serial: 'AAD-1123',
      level: 'info',
      message: 'one',
      fields: { firmware: '1.4.2' },
    });
  });

  it('rotates to a new file at the UTC day change', async () => {
    await file.append([line('before midnight')]);
    nowMs = Date.UTC(2024, 4, 2, 0, 0, 0, 1);
    await file.append([line('after midnight')]);
    expect(file.currentPath).toBe(path.join(dir, 'sensors-2024-05-02.log'));
    expect((await readdir(dir)).sort()).toEqual([
      'sensors-2024-05-01.log',
      'sensors-2024-05-02.log',
    ]);
    expect(await readLines(path.join(dir, 'sensors-2024-05-01.log'))).toHaveLength(1);
    expect(await readLines(path.join(dir, 'sensors-2024-05-02.log'))).toEqual([
      expect.objectContaining({ message: 'after midnight' }),
    ]);
  });

  it('reopens after close and appends to the same day file', async () => {
    await file.append([line('first')]);
    await file.close();
    expect(file.currentPath).toBeUndefined();
    await file.append([line('second')]);
    const lines = await readLines(path.join(dir, 'sensors-2024-05-01.log'));
    expect(lines.map((l) => (l as { message: string }).message)).toEqual(['first', 'second']);
  });

  it('starts on a fresh line when the file ends mid-line (a crash during a write)', async () => {
    await file.append([line('whole')]);
    await file.close();
    await appendFile(path.join(dir, 'sensors-2024-05-01.log'), '{"time":"2024-05-01T12:00');
    await file.append([line('after the crash')]);
    const text = await readFile(path.join(dir, 'sensors-2024-05-01.log'), 'utf8');
    const last = text.trimEnd().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toEqual(expect.objectContaining({ message: 'after the crash' }));
  });

  it('keeps concurrent appends whole and in call order', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => file.append([line(`line ${i}`)])));
    const lines = await readLines(path.join(dir, 'sensors-2024-05-01.log'));
    expect(lines.map((l) => (l as { message: string }).message)).toEqual(
      Array.from({ length: 20 }, (_, i) => `line ${i}`),
    );
  });
});
