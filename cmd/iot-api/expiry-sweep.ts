// Commands nobody acknowledged in time become expired. Every replica may sweep: the UPDATE
// moves each command once, whoever runs it.
import type pg from 'pg';
import type { Logger } from '../../internal/telemetry/index.js';
import type { ApiMetrics } from './metrics.js';
import { expireDue } from './store/commands-store.js';
import { inTransaction } from './store/queryable.js';

export function startExpirySweep(deps: {
  pool: pg.Pool;
  logger: Logger;
  metrics: ApiMetrics;
  intervalMs?: number;
}): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      try {
        const expired = await inTransaction(deps.pool, (client) => expireDue(client));
        if (expired > 0) {
          deps.metrics.commandsExpired.inc(expired);
          deps.logger.info({ expired }, 'commands expired without an acknowledgement');
        }
      } catch (error) {
        deps.logger.warn({ err: error }, 'expiry sweep failed; retrying');
      }
    });
  }, deps.intervalMs ?? 1_000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
