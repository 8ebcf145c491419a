// Gathers log lines from many deliveries into one batch (up to `maxRows`, or whatever arrived
// within `flushIntervalMs` of the first), then, per batch and in this order:
//   1. resolves every serial with one directory lookup; a line of a serial not enrolled yet
//      waits (requeue with a growing pause) and is parked past the timeout;
//   2. inserts the rest in one statement (duplicates skipped, see log-store.ts);
//   3. appends them to the day file and syncs it;
// and only then answers each line's promise with ack. A failed step answers failureOutcome's
// verdict (wait for the database or the disk, mostly) for every line it concerned, so nothing
// is acked that is not stored; a line the database refuses (SQLSTATE 22/23) is found by
// inserting the batch line by line and is dead-lettered alone. Database first, file second:
// a failed insert leaves nothing in the file to be written twice on redelivery.
// Batches run one at a time, so file lines keep the order the batches were taken in.
import { ack, requeue, type Outcome } from '../../internal/pubsub/index.js';
import type { LogLine } from '../../internal/routing/index.js';
import {
  failureOutcome,
  isItemFault,
  unknownSerialOutcome,
} from '../../internal/sensorlogic/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import type { LogRow, LogStore } from './log-store.js';

export interface SerialResolver {
  /** The enrolled sensors among `serials`; unknown serials are absent (SensorDirectory). */
  resolve(serials: Iterable<string>): Promise<Map<string, { id: number }>>;
}

export interface LineSink {
  append(lines: readonly LogLine[]): Promise<void>;
}

/** What one batch did, for metrics. */
export interface BatchReport {
  lines: number;
  stored: number;
  duplicates: number;
  unknownSerial: number;
  /** Seconds the INSERT took; undefined when it was not attempted. */
  insertSeconds: number | undefined;
  failed: boolean;
}

export interface LogBatchWriterOptions {
  directory: SerialResolver;
  store: LogStore;
  file: LineSink;
  logger: Logger;
  maxRows: number;
  flushIntervalMs: number;
  unknownSerialTimeoutMs: number;
  onBatch?: (report: BatchReport) => void;
  /** Called for every line of an enrolled sensor: it was heard from (LastSeen). */
  onSeen?: (sensorId: number, atMs: number) => void;
  now?: () => number;
}

interface Pending {
  line: LogLine;
  /** The broker delivered it before: its file line may be missing even if its row is stored. */
  redelivered: boolean;
  settle: (outcome: Outcome) => void;
}

export class LogBatchWriter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: LogBatchWriterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Resolves with the line's outcome once its batch is written (or failed). */
  add(line: LogLine, meta: { redelivered: boolean }): Promise<Outcome> {
    // Only after close(): the consumer was drained first, so this is a late straggler.
    if (this.closed) return Promise.resolve(requeue(0));
    return new Promise((settle) => {
      this.pending.push({ line, redelivered: meta.redelivered, settle });
      if (this.pending.length >= this.options.maxRows) this.cut();
      else this.timer ??= setTimeout(() => this.cut(), this.options.flushIntervalMs);
    });
  }

  /** Writes whatever is pending now and resolves when every batch so far is done. */
  flush(): Promise<void> {
    this.cut();
    return this.chain;
  }

  /** Answers every later add with requeue, and writes what is pending. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** Takes the pending lines as one batch, queued behind the batches before it. */
  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.chain = this.chain.then(() => this.write(batch));
  }

  private async write(batch: Pending[]): Promise<void> {
    const report: BatchReport = {
      lines: batch.length,
      stored: 0,
      duplicates: 0,
      unknownSerial: 0,
      insertSeconds: undefined,
      failed: false,
    };
    try {
      const rows = await this.resolve(batch, report);
      await this.storeIsolating(rows, report);
    } catch (error) {
      report.failed = true;
      const outcome = failureOutcome(error);
      this.options.logger.error(
        { err: error, lines: batch.length, outcome: outcome.kind },
        'could not store a batch of log lines',
      );
      // Lines already answered (unknown serials) keep their answer: a promise settles once.
      for (const entry of batch) entry.settle(outcome);
    }
    this.options.onBatch?.(report);
  }

  /** Settles the lines of unknown serials; returns the rest with their sensor ids. */
  private async resolve(
    batch: Pending[],
    report: BatchReport,
  ): Promise<(LogRow & { entry: Pending })[]> {
    const sensors = await this.options.directory.resolve(batch.map((entry) => entry.line.serial));
    const rows: (LogRow & { entry: Pending })[] = [];
    for (const entry of batch) {
      const sensor = sensors.get(entry.line.serial);
      if (sensor) {
        rows.push({ sensorId: sensor.id, line: entry.line, entry });
        this.options.onSeen?.(sensor.id, this.now());
        continue;
      }
      report.unknownSerial++;
      const outcome = unknownSerialOutcome(
        entry.line.serial,
        entry.line.timeMs,
        this.options.unknownSerialTimeoutMs,
        this.now(),
      );
      if (outcome.kind === 'dead-letter') {
        this.options.logger.warn({ serial: entry.line.serial }, outcome.reason);
      }
      entry.settle(outcome);
    }
    return rows;
  }

  /** Stores the rows; when one line's data is refused, line by line, dead-lettering it alone. */
  private async storeIsolating(
    rows: (LogRow & { entry: Pending })[],
    report: BatchReport,
  ): Promise<void> {
    try {
      await this.store(rows, report);
    } catch (error) {
      if (rows.length < 2 || !isItemFault(error)) throw error;
      for (const row of rows) {
        try {
          await this.store([row], report);
        } catch (lineError) {
          if (!isItemFault(lineError)) throw lineError;
          row.entry.settle(failureOutcome(lineError));
        }
      }
    }
  }

  private async store(rows: (LogRow & { entry: Pending })[], report: BatchReport): Promise<void> {
    if (rows.length === 0) return;
    const started = performance.now();
    const { inserted } = await this.options.store.insert(rows);
    report.insertSeconds = (performance.now() - started) / 1000;
    const stored = inserted.filter(Boolean).length;
    report.stored += stored;
    report.duplicates += rows.length - stored;
    // A line already stored goes to the file only when it is a redelivery (its first delivery
    // may have failed between the commit and the file); a device's resend is skipped.
    const toFile = rows.filter((row, i) => inserted[i] === true || row.entry.redelivered);
    await this.options.file.append(toFile.map((row) => row.line));
    for (const row of rows) row.entry.settle(ack());
  }
}
