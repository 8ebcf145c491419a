// The batching and the order of effects, with in-memory stand-ins for the directory, the table
// and the file (the real ones: log-store.test.ts on PGlite, log-file.test.ts, and the
// integration test against the local stack).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogLine } from '../../internal/routing/index.js';
import { createLogger } from '../../internal/telemetry/index.js';
import {
  LogBatchWriter,
  type BatchReport,
  type LogBatchWriterOptions,
} from './log-batch-writer.js';
import type { LogRow } from './log-store.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const line = (serial: string, message: string, timeMs = NOW): LogLine => ({
  schemaVersion: 1,
  serial,
  timeMs,
  level: 'info',
  message,
  fields: {},
});

function setup(overrides: Partial<LogBatchWriterOptions> = {}) {
  const sensors = new Map([['KNOWN-1', { id: 7 }]]);
  const stored = new Set<string>();
  const inserts: LogRow[][] = [];
  const fileLines: string[] = [];
  const reports: BatchReport[] = [];
  const failures = { insert: false, file: false };
  const writer = new LogBatchWriter({
    directory: {
      resolve(serials) {
        const found = new Map<string, { id: number }>();
        for (const serial of serials) {
          const sensor = sensors.get(serial);
          if (sensor) found.set(serial, sensor);
        }
        return Promise.resolve(found);
      },
    },
    store: {
      insert(rows) {
        if (failures.insert) {
          return Promise.reject(
            Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
          );
        }
        if (rows.some((row) => row.line.message.includes('\u0000'))) {
          // What PostgreSQL answers for a NUL byte in a text column.
          const refused = 'invalid byte sequence for encoding "UTF8": 0x00';
          return Promise.reject(Object.assign(new Error(refused), { code: '22021' }));
        }
        inserts.push([...rows]);
        const inserted = rows.map((row) => {
          const key = `${row.sensorId}|${row.line.timeMs}|${row.line.message}`;
          if (stored.has(key)) return false;
          stored.add(key);
          return true;
        });
        return Promise.resolve({ inserted });
      },
    },
    file: {
      append(lines) {
        if (failures.file) {
          return Promise.reject(Object.assign(new Error('no space left'), { code: 'ENOSPC' }));
        }
        fileLines.push(...lines.map((l) => l.message));
        return Promise.resolve();
      },
    },
    logger: createLogger('test', 'silent'),
    maxRows: 3,
    flushIntervalMs: 50,
    unknownSerialTimeoutMs: 60_000,
    onBatch: (report) => reports.push(report),
    now: () => NOW,
    ...overrides,
  });
  return { writer, sensors, inserts, fileLines, reports, failures };
}

describe('LogBatchWriter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a full batch at once, in one insert, then acks', async () => {
    const { writer, inserts, fileLines } = setup();
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((m) => writer.add(line('KNOWN-1', m), { redelivered: false })),
    );
    expect(outcomes).toEqual([{ kind: 'ack' }, { kind: 'ack' }, { kind: 'ack' }]);
    expect(inserts.map((batch) => batch.length)).toEqual([3]);
    expect(fileLines).toEqual(['a', 'b', 'c']);
  });

  it('writes a partial batch after the flush interval', async () => {
    vi.useFakeTimers();
    const { writer, inserts } = setup();
    const outcome = writer.add(line('KNOWN-1', 'lonely'), { redelivered: false });
    await vi.advanceTimersByTimeAsync(49);
    expect(inserts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toEqual({ kind: 'ack' });
    expect(inserts).toHaveLength(1);
  });

  it('waits for the database with every line of a batch whose insert fails, and writes no file line', async () => {
    const { writer, failures, fileLines, reports } = setup();
    failures.insert = true;
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((m) => writer.add(line('KNOWN-1', m), { redelivered: false })),
    );
    expect(outcomes).toEqual(
      Array(3).fill({ kind: 'wait-for', dependency: 'database', reason: 'connect ECONNREFUSED' }),
    );
    expect(fileLines).toEqual([]);
    expect(reports).toEqual([expect.objectContaining({ failed: true, stored: 0 })]);
  });

  it('dead-letters only the line the database refuses, storing the rest of its batch', async () => {
    const { writer, fileLines } = setup();
    const outcomes = await Promise.all(
      ['a', 'b\u0000', 'c'].map((m) => writer.add(line('KNOWN-1', m), { redelivered: false })),
    );
    expect(outcomes[0]).toEqual({ kind: 'ack' });
    expect(outcomes[1]).toEqual({
      kind: 'dead-letter',
      reason:
        'database rejected the message: invalid byte sequence for encoding "UTF8": 0x00 (SQLSTATE 22021)',
      cause: 'database rejected',
    });
    expect(outcomes[2]).toEqual({ kind: 'ack' });
    expect(fileLines).toEqual(['a', 'c']);
  });

  it('waits for the disk when the file write fails, and rewrites the file on redelivery', async () => {
    const { writer, failures, fileLines, reports } = setup();
    failures.file = true;
    const first = writer.add(line('KNOWN-1', 'x'), { redelivered: false });
    await writer.flush();
    await expect(first).resolves.toMatchObject({ kind: 'wait-for', dependency: 'disk' });
    failures.file = false;
    const again = writer.add(line('KNOWN-1', 'x'), { redelivered: true });
    await writer.flush();
    await expect(again).resolves.toEqual({ kind: 'ack' });
    expect(fileLines).toEqual(['x']);
    expect(reports.at(-1)).toEqual(expect.objectContaining({ stored: 0, duplicates: 1 }));
  });

  it('stores a resent line once and leaves it out of the file', async () => {
    const { writer, fileLines, reports } = setup();
    const first = writer.add(line('KNOWN-1', 'same'), { redelivered: false });
    const second = writer.add(line('KNOWN-1', 'same'), { redelivered: false });
    await writer.flush();
    expect(await Promise.all([first, second])).toEqual([{ kind: 'ack' }, { kind: 'ack' }]);
    expect(fileLines).toEqual(['same']);
    expect(reports).toEqual([expect.objectContaining({ stored: 1, duplicates: 1 })]);
  });

  it.each([
    ['just now', NOW, { kind: 'requeue', delayMs: 500 }],
    [
      'past the timeout',
      NOW - 60_000,
      {
        kind: 'dead-letter',
        reason: 'unknown serial NEW-1: not enrolled within 60 s',
        cause: 'unknown serial',
      },
    ],
  ])('answers a line of an unknown serial sent %s with %o', async (_, timeMs, expected) => {
    const { writer, inserts } = setup();
    const unknown = writer.add(line('NEW-1', 'boot', timeMs), { redelivered: false });
    const known = writer.add(line('KNOWN-1', 'hello'), { redelivered: false });
    await writer.flush();
    expect(await unknown).toEqual(expected);
    expect(await known).toEqual({ kind: 'ack' });
    expect(inserts.flat().map((row) => row.line.message)).toEqual(['hello']);
  });

  it('answers requeue after close', async () => {
    const { writer } = setup();
    await writer.close();
    await expect(writer.add(line('KNOWN-1', 'late'), { redelivered: false })).resolves.toEqual({
      kind: 'requeue',
      delayMs: 0,
    });
  });
});
