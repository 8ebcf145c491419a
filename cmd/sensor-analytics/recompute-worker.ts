// Picks up feature recompute requests (rows of feature_recompute that iot-api inserts) and runs
// them one at a time. Every replica looks; a job is claimed with a session advisory lock on
// its id, so one replica works on it, and if that replica dies its connection and the lock go
// with it: the job, still open, is taken up by the next look. A job whose run fails because
// of the job itself is marked failed with the reason; one interrupted by the database (gone,
// restarting, a deadlock) stays open and is run again.
import type pg from 'pg';
import type { Logger } from '../../internal/telemetry/index.js';
import {
  recomputeFeatures,
  refreshAggregates,
  type RecomputeJob,
  type RecomputeResult,
} from './feature-recompute.js';
import type { MachineDirectory } from './machine-directory.js';
import type { AnalysisSettings } from './sensor-analysis.js';

/**
 * How often each replica looks for open jobs: a request waits at most about this long, and
 * the look is one query on a partial index.
 */
export const RECOMPUTE_POLL_MS = 1_000;
/** Open jobs looked at per poll; the rest wait for the next one. */
const JOBS_PER_POLL = 10;
/** First key of the two-key advisory lock ("fea7"ure), apart from the ingester's block locks. */
const RECOMPUTE_LOCK_CLASS = 0xfea7;

/**
 * SQLSTATE classes that say the database, not the job, was the trouble: connection (08),
 * transaction rollback such as a deadlock or serialization failure (40), operator
 * intervention such as a shutdown (57), insufficient resources (53).
 */
const RETRYABLE_CLASSES = new Set(['08', '40', '53', '57']);

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  // No SQLSTATE at all: the connection broke (ECONNRESET, a closed socket).
  if (typeof code !== 'string' || code.length !== 5) return true;
  return RETRYABLE_CLASSES.has(code.slice(0, 2));
}

export interface RecomputeWorkerDeps {
  pool: pg.Pool;
  machines: MachineDirectory;
  settings: AnalysisSettings;
  logger: Logger;
  onFinished?: (status: 'done' | 'failed', result?: RecomputeResult) => void;
}

interface JobRow {
  id: string;
  sensor_id: string;
  since: Date;
  until: Date;
}

export class RecomputeWorker {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> = Promise.resolve();
  private busy = false;
  private stopped = false;

  constructor(private readonly deps: RecomputeWorkerDeps) {}

  start(intervalMs = RECOMPUTE_POLL_MS): void {
    this.timer = setInterval(() => this.tick(), intervalMs);
  }

  /** Stops looking and waits for the job in hand (its transaction commits or rolls back). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.current;
  }

  private tick(): void {
    if (this.busy || this.stopped) return;
    this.busy = true;
    this.current = this.runOpenJobs()
      .then(() => undefined)
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'looking for recompute jobs failed; trying again'),
      )
      .finally(() => {
        this.busy = false;
      });
  }

  /** Runs the open jobs no other replica holds; returns how many it finished. */
  async runOpenJobs(): Promise<number> {
    const session = await this.deps.pool.connect();
    let broken: Error | undefined;
    let finished = 0;
    try {
      const { rows } = await session.query<JobRow>(
        `SELECT id, sensor_id, since, until FROM feature_recompute
          WHERE status IN ('queued', 'running') ORDER BY id LIMIT $1`,
        [JOBS_PER_POLL],
      );
      for (const row of rows) {
        if (this.stopped) break;
        const job = {
          id: row.id,
          sensorId: Number(row.sensor_id),
          since: row.since,
          until: row.until,
        };
        if (await this.runIfFree(session, job)) finished += 1;
      }
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      // A connection that failed mid-job is dropped, not handed to the next user.
      session.release(broken);
    }
    return finished;
  }

  private async runIfFree(session: pg.PoolClient, job: RecomputeJob): Promise<boolean> {
    const lockArgs = [RECOMPUTE_LOCK_CLASS, Number(BigInt(job.id) % 2147483647n)];
    const { rows } = await session.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS locked',
      lockArgs,
    );
    if (rows[0]?.locked !== true) return false;
    try {
      // Another replica may have finished it between the look and the lock.
      const claimed = await session.query(
        `UPDATE feature_recompute SET status = 'running', started_at = now()
          WHERE id = $1 AND status IN ('queued', 'running')`,
        [job.id],
      );
      if (claimed.rowCount === 0) return false;
      const log = this.deps.logger.child({ job: job.id, sensorId: job.sensorId });
      try {
        const machine = await this.deps.machines.machineOf(job.sensorId);
        const result = await recomputeFeatures(session, job, machine, this.deps.settings);
        log.info(result, 'features recomputed');
        await refreshAggregates(session, job).catch((error: unknown) =>
          // The windows are replaced; only the long-range trend lags until the next refresh.
          log.warn({ err: error }, 'refreshing the feature aggregates failed'),
        );
        this.deps.onFinished?.('done', result);
        return true;
      } catch (error) {
        if (isRetryable(error)) throw error;
        log.warn({ err: error }, 'feature recompute failed');
        await session.query(
          `UPDATE feature_recompute SET status = 'failed', finished_at = now(), error = $2
            WHERE id = $1`,
          [job.id, error instanceof Error ? error.message : String(error)],
        );
        this.deps.onFinished?.('failed');
        return true;
      }
    } finally {
      await session.query('SELECT pg_advisory_unlock($1, $2)', lockArgs).catch(() => undefined);
    }
  }
}
