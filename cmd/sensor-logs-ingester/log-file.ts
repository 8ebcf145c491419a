// The day files Alloy tails into Loki. The format is a contract with the Alloy pipeline (a
// later change adds its config), so keep it stable:
//
//   directory  IOT_SENSOR_LOG_DIR
//   file       sensors-YYYY-MM-DD.log, the UTC day on the ingester's clock when it was written
//              (a line of 23:59:59.900 written at 00:00:00.100 lands in the next day's file)
//   line       one JSON object, UTF-8, ending in "\n", keys always in this order:
//              {"time":"2024-05-01T12:00:00.123Z","serial":"AAD-1123","level":"info",
//               "message":"booted","fields":{"firmware":"1.4.2"}}
//     time     the device's timestamp, ISO 8601 in UTC with milliseconds
//     serial   the device's serial number
//     level    debug, info, warn or error (lowercased by the ingester)
//     message  the text, at most 4096 characters
//     fields   string → string, {} when the device sent none
//
// Lines are appended in batches; `append` resolves after the bytes are written and fdatasync'd,
// so the caller can ack the messages. Delivery is at least once: a line whose ack was lost
// (crash, dropped connection) is delivered again and can appear twice in the file, although
// the database stores it once. A write that failed halfway leaves a partial line; the next
// write starts on a fresh line, so only that one line is unreadable.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { LogLine } from '../../internal/routing/index.js';

/** One file line, newline included. */
export function formatLogLine(line: LogLine): string {
  return (
    JSON.stringify({
      time: new Date(line.timeMs).toISOString(),
      serial: line.serial,
      level: line.level,
      message: line.message,
      fields: line.fields,
    }) + '\n'
  );
}

/** `sensors-YYYY-MM-DD.log` for the UTC day of `timeMs`. */
export function logFileName(timeMs: number): string {
  return `sensors-${new Date(timeMs).toISOString().slice(0, 10)}.log`;
}

export interface DailyLogFileOptions {
  /** The clock that picks the day; injectable for tests. */
  now?: () => number;
  /** fdatasync after every batch (default true): an acked line survives a power cut. */
  sync?: boolean;
}

/** The current day's file, kept open, rotated at the UTC day change. */
export class DailyLogFile {
  private handle: FileHandle | undefined;
  private openName: string | undefined;
  /** The file does not end in "\n" (a failed write, or a crash mid-line before a restart). */
  private midLine = false;
  /** Appends and closes run one at a time, so a rotation never closes a file mid-write. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly sync: boolean;

  constructor(
    readonly dir: string,
    options: DailyLogFileOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sync = options.sync ?? true;
  }

  /** The file being written, or undefined while closed. */
  get currentPath(): string | undefined {
    return this.openName === undefined ? undefined : path.join(this.dir, this.openName);
  }

  /** Creates the directory and opens today's file: a directory we cannot write fails here. */
  open(): Promise<void> {
    return this.serialize(async () => {
      await this.handleForNow();
    });
  }

  /** Appends the lines as one write and resolves once they are on disk. */
  append(lines: readonly LogLine[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return this.serialize(async () => {
      const handle = await this.handleForNow();
      const text = (this.midLine ? '\n' : '') + lines.map(formatLogLine).join('');
      this.midLine = true;
      await writeAll(handle, Buffer.from(text, 'utf8'));
      if (this.sync) await handle.datasync();
      this.midLine = false;
    });
  }

  /** Closes the file; a later append opens it again. */
  close(): Promise<void> {
    return this.serialize(() => this.closeHandle());
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async handleForNow(): Promise<FileHandle> {
    const name = logFileName(this.now());
    if (this.handle && this.openName === name) return this.handle;
    await this.closeHandle();
    await mkdir(this.dir, { recursive: true });
    const handle = await open(path.join(this.dir, name), 'a+', 0o640);
    try {
      this.midLine = !(await endsWithNewline(handle));
    } catch (error) {
      await handle.close();
      throw error;
    }
    this.handle = handle;
    this.openName = name;
    return handle;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.openName = undefined;
    await handle?.close();
  }
}

async function endsWithNewline(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

/** A write may take fewer bytes than asked; O_APPEND puts every chunk at the end. */
async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}
