// Raw waveform blocks expire: on plain PostgreSQL this job deletes the blocks that ended
// before the retention limit, a small batch per transaction so no statement holds many rows
// or locks for long while ingest goes on. Where TimescaleDB is installed its retention policy
// drops whole chunks instead (migration 0013), and this job does nothing.
import type pg from 'pg';

/**
 * Blocks deleted per statement: about a quarter of an hour of one 1-s-batch sensor, or a
 * second of a thousand; a few milliseconds of work, so ingest never waits behind it.
 */
export const RETENTION_BATCH_BLOCKS = 1_000;
/** How often expired blocks are looked for: far finer than a retention of days needs. */
export const RETENTION_INTERVAL_MS = 10 * 60 * 1000;

export interface RawRetentionOptions {
  /** Blocks that ended longer ago than this are deleted. */
  retentionMs: number;
  intervalMs?: number;
  batchBlocks?: number;
  onDeleted?: (blocks: number) => void;
  onError: (error: unknown) => void;
}

export class RawRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: RawRetentionOptions,
  ) {}

  /** Runs once now, then every interval. */
  start(): void {
    const tick = () => {
      this.running = this.runOnce().catch(this.options.onError);
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs ?? RETENTION_INTERVAL_MS);
    this.timer.unref();
  }

  /** Deletes every expired block, batch by batch; returns how many (0 under TimescaleDB). */
  async runOnce(nowMs = Date.now()): Promise<number> {
    if (await this.timescaleManages()) return 0;
    const cutoff = new Date(nowMs - this.options.retentionMs);
    const batch = this.options.batchBlocks ?? RETENTION_BATCH_BLOCKS;
    let total = 0;
    for (;;) {
      const { rows } = await this.pool.query<{ n: number }>('SELECT drop_raw_blocks($1, $2) AS n', [
        cutoff,
        batch,
      ]);
      const deleted = rows[0]?.n ?? 0;
      total += deleted;
      if (deleted < batch || this.stopped) break;
    }
    if (total > 0) this.options.onDeleted?.(total);
    return total;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async timescaleManages(): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'",
    );
    return rowCount === 1;
  }
}
