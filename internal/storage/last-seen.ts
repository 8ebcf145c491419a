// Coalesces "this sensor was just heard from" into one UPDATE per interval for all sensors,
// instead of one write per message. Measurements and log lines (a sleeping sensor still logs
// its heartbeat) both count.
import type pg from 'pg';

export class LastSeen {
  private pending = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(this.onError), this.intervalMs);
    this.timer.unref();
  }

  seen(sensorId: number, atMs: number): void {
    if ((this.pending.get(sensorId) ?? 0) < atMs) this.pending.set(sensorId, atMs);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await this.pool.query(
      `UPDATE sensor AS s SET last_seen = v.t
         FROM unnest($1::bigint[], $2::timestamptz[]) AS v(id, t)
        WHERE s.id = v.id AND (s.last_seen IS NULL OR s.last_seen < v.t)`,
      [[...batch.keys()], [...batch.values()].map((ms) => new Date(ms))],
    );
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
