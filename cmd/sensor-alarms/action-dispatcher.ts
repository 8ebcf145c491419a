// Delivers the machine actions of raised alarms to their targets' controllers, apart from
// the evaluation: a controller that is slow or down delays only its own actions, never an
// alarm or the analytics. Every pending action (alarm.action_status = 'pending') is tried
// with a deadline per call and retries with backoff, always with the alarm's idempotency key,
// so a retry the controller had already applied is applied once; the outcome (delivered, or
// failed with the reason) is stored on the alarm with a transition. A restart picks up what
// was pending: the key makes a second delivery harmless.
import type pg from 'pg';
import type { Logger } from '../../internal/telemetry/index.js';
import {
  MachineActionError,
  withRetries,
  type MachineControllerClients,
  type RetryPolicy,
} from '../../internal/machine/index.js';
import { notifyAlarm, recordTransition } from './alarm-rows.js';
import type { AlarmsMetrics } from './metrics.js';

/** First backoff ceiling: a controller restarting is back within a second or two. */
export const ACTION_BASE_DELAY_MS = 500;
/** Backoff ceiling: past this, waiting longer between attempts only delays the outcome. */
export const ACTION_MAX_DELAY_MS = 8_000;
/** Pending actions taken per scan; the next scan takes the rest. */
const SCAN_LIMIT = 100;

interface PendingRow {
  id: string;
  action: string;
  action_key: string;
  rule: string;
  severity: string;
  message: string;
  serial_number: string;
  organization_id: string;
  target: string | null;
  controller_address: string | null;
}

export interface DispatcherOptions {
  pool: pg.Pool;
  clients: MachineControllerClients;
  logger: Logger;
  metrics: AlarmsMetrics;
  deadlineMs: number;
  attempts: number;
}

export class ActionDispatcher {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private scanning: Promise<void> | undefined;
  private rescan = false;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: DispatcherOptions) {
    this.policy = {
      attempts: options.attempts,
      baseDelayMs: ACTION_BASE_DELAY_MS,
      maxDelayMs: ACTION_MAX_DELAY_MS,
    };
  }

  /** Looks for pending actions now (after a commit that raised one, and on every sweep). */
  kick(): void {
    if (this.stopping.signal.aborted) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = this.scan()
      .catch((error: unknown) =>
        this.options.logger.warn(
          { err: error },
          'could not read pending actions; next sweep retries',
        ),
      )
      .finally(() => {
        this.scanning = undefined;
        if (this.rescan) {
          this.rescan = false;
          this.kick();
        }
      });
  }

  /** Stops retrying; deliveries in flight end at their next pause (they stay pending). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.scanning;
    await Promise.allSettled(this.inFlight.values());
  }

  private async scan(): Promise<void> {
    const { rows } = await this.options.pool.query<PendingRow>(
      `SELECT a.id, a.action, a.action_key, a.rule, a.severity, a.message, s.serial_number,
              s.organization_id, t.name AS target, t.controller_address
         FROM alarm a JOIN sensor s ON s.id = a.sensor_id
         LEFT JOIN target t ON t.id = s.target_id
        WHERE a.action_status = 'pending' ORDER BY a.id LIMIT ${SCAN_LIMIT}`,
    );
    for (const row of rows) {
      if (this.inFlight.has(row.id)) continue;
      const delivery = this.deliver(row).finally(() => this.inFlight.delete(row.id));
      this.inFlight.set(row.id, delivery);
    }
  }

  private async deliver(row: PendingRow): Promise<void> {
    const { logger, pool, clients, metrics } = this.options;
    const log = logger.child({ alarmId: row.id, serial: row.serial_number, action: row.action });
    const address = row.controller_address;
    const outcome =
      address === null
        ? {
            ok: false as const,
            attempts: 0,
            error: new MachineActionError(
              `target ${row.target ?? '(none)'} has no controller address`,
              false,
            ),
          }
        : await withRetries(
            this.policy,
            async (n) => {
              metrics.actionAttempts.inc();
              await pool
                .query('UPDATE alarm SET action_attempts = $2 WHERE id = $1', [row.id, n])
                .catch(() => undefined);
              return clients.applyAction(
                address,
                {
                  idempotencyKey: row.action_key,
                  action: row.action,
                  target: row.target ?? '',
                  serial: row.serial_number,
                  alarmId: row.id,
                  rule: row.rule,
                  severity: row.severity,
                  reason: row.message,
                  requestedAtMs: Date.now(),
                },
                this.options.deadlineMs,
              );
            },
            {
              signal: this.stopping.signal,
              onRetry: (n, error) =>
                log.warn({ attempt: n, reason: error.message }, 'action failed; retrying'),
            },
          ).catch((error: unknown) => {
            // Aborted by stop(): leave it pending for the next start.
            log.info({ err: error }, 'action left pending at shutdown');
            return undefined;
          });
    if (outcome === undefined) return;
    const status = outcome.ok ? 'delivered' : 'failed';
    const reason = outcome.ok
      ? outcome.value.duplicate
        ? `already applied (${outcome.value.detail})`
        : outcome.value.detail
      : outcome.error.message;
    metrics.actions.inc({ outcome: status });
    if (outcome.ok) log.info({ attempts: outcome.attempts }, 'action delivered');
    else log.warn({ attempts: outcome.attempts, reason }, 'action failed');
    await this.record(row, status, reason, outcome.attempts).catch((error: unknown) =>
      // Still pending in the table: the next sweep delivers again, under the same key.
      log.warn({ err: error }, 'could not store the action outcome; it stays pending'),
    );
  }

  private async record(
    row: PendingRow,
    status: 'delivered' | 'failed',
    reason: string,
    attempts: number,
  ): Promise<void> {
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      const { rowCount } = await client.query(
        `UPDATE alarm SET action_status = $2, action_reason = $3,
                action_attempts = GREATEST(action_attempts, $4), action_updated_at = now()
          WHERE id = $1 AND action_status = 'pending'`,
        [row.id, status, reason, attempts],
      );
      if (rowCount) {
        await recordTransition(client, row.id, `action-${status}`, `${row.action}: ${reason}`);
        await notifyAlarm(
          client,
          { serial: row.serial_number, organizationId: row.organization_id },
          row.id,
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
