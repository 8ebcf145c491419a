// serial number → sensor id (and target), cached. Ingesters resolve every message's serial;
// one query per batch of unknown serials instead of one per message. A serial that is not
// enrolled yet is not cached, so it is found as soon as the registry enrolls it.
import type pg from 'pg';

export interface SensorRef {
  id: number;
  targetId: number | null;
}

export class SensorDirectory {
  private readonly cache = new Map<string, SensorRef>();

  constructor(
    private readonly pool: pg.Pool,
    /** How long a cached entry is trusted (a reassigned target shows up after this). */
    private readonly ttlMs = 30_000,
  ) {}

  private loadedAt = new Map<string, number>();

  /** The enrolled sensors among `serials`; unknown serials are simply absent. */
  async resolve(serials: Iterable<string>): Promise<Map<string, SensorRef>> {
    const now = Date.now();
    const found = new Map<string, SensorRef>();
    const missing: string[] = [];
    for (const serial of new Set(serials)) {
      const cached = this.cache.get(serial);
      if (cached && now - (this.loadedAt.get(serial) ?? 0) < this.ttlMs) found.set(serial, cached);
      else missing.push(serial);
    }
    if (missing.length > 0) {
      const { rows } = await this.pool.query<{
        serial_number: string;
        id: string;
        target_id: string | null;
      }>('SELECT serial_number, id, target_id FROM sensor WHERE serial_number = ANY($1)', [
        missing,
      ]);
      for (const row of rows) {
        const ref = {
          id: Number(row.id),
          targetId: row.target_id === null ? null : Number(row.target_id),
        };
        this.cache.set(row.serial_number, ref);
        this.loadedAt.set(row.serial_number, now);
        found.set(row.serial_number, ref);
      }
    }
    return found;
  }

  /** Forgets a serial (deleted or re-enrolled). */
  forget(serial: string): void {
    this.cache.delete(serial);
    this.loadedAt.delete(serial);
  }
}
