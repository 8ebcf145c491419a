// Turns feature events into alarm steps. Each message is decoded and checked (bad input →
// dead letter with the reason), its sensor looked up (deleted since → dead letter), and one
// sensor's windows are evaluated one after another in arrival order; a database that is down
// → wait for it (failureOutcome), never a dead letter. Raised alarms with an action wake the
// dispatcher once committed.
import type pg from 'pg';
import { ack, deadLetter, inOrderPerKey, type Handler } from '../../internal/pubsub/index.js';
import { featureEventCodec } from '../../internal/routing/index.js';
import {
  decodeDeviceMessage,
  failureOutcome,
  isOutcome,
} from '../../internal/sensorlogic/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import { evaluateFeatures, type FeatureSensor } from './feature-evaluation.js';
import type { AlarmsMetrics } from './metrics.js';

export interface FeatureHandlerDeps {
  pool: pg.Pool;
  metrics: AlarmsMetrics;
  logger: Logger;
  /** Called after a commit that left an action pending. */
  onActionPending: () => void;
}

export async function sensorBySerial(
  pool: pg.Pool,
  serial: string,
): Promise<FeatureSensor | undefined> {
  const { rows } = await pool.query<{
    id: string;
    organization_id: string;
    target_id: string | null;
  }>('SELECT id, organization_id, target_id FROM sensor WHERE serial_number = $1', [serial]);
  const row = rows[0];
  return (
    row && {
      id: Number(row.id),
      serial,
      organizationId: row.organization_id,
      targetId: row.target_id,
    }
  );
}

export function createFeatureHandler(deps: FeatureHandlerDeps): Handler {
  const { pool, metrics, logger } = deps;
  const handle: Handler = async (delivery) => {
    const event = decodeDeviceMessage(delivery, (bytes) => featureEventCodec.decode(bytes));
    if (isOutcome(event)) return event;
    try {
      const sensor = await sensorBySerial(pool, event.serial);
      if (!sensor) {
        return deadLetter(`sensor ${event.serial} is not enrolled (deleted?)`, 'unknown serial');
      }
      const result = await evaluateFeatures(pool, sensor, event);
      if (result.kind === 'duplicate') {
        metrics.duplicates.inc();
        return ack();
      }
      metrics.windows.inc();
      for (const change of result.changes) {
        metrics.steps.inc({ step: change.step });
        if (change.actionPending) deps.onActionPending();
      }
      return ack();
    } catch (error) {
      const outcome = failureOutcome(error);
      logger.warn({ err: error, serial: event.serial, outcome: outcome.kind }, 'handling failed');
      return outcome;
    }
  };
  return inOrderPerKey((delivery) => delivery.routingKey, handle);
}
