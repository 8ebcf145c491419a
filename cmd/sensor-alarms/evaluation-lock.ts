// A sensor's rule states (alarm_evaluation), read and written under its row lock in one
// transaction: the feature handler and the fleet sweep, on any replica, take one sensor's
// states one at a time, so a step is never taken twice or lost.
import type pg from 'pg';
import { parseRulePhase, type RuleName, type RulePhase } from '../../internal/alarms/index.js';

export type RuleStates = Partial<Record<RuleName, RulePhase>>;

export interface Evaluation {
  /** Start of the last window taken in, µs since the epoch; null before the first. */
  readonly windowStartUs: number | null;
  readonly states: RuleStates;
}

/**
 * Runs `work` in a transaction holding the sensor's evaluation row; `work` returns the new
 * evaluation to store, or undefined to leave it as it was. The result of `work` comes back.
 */
export async function withEvaluation<T>(
  pool: pg.Pool,
  sensorId: number,
  work: (
    client: pg.PoolClient,
    evaluation: Evaluation,
  ) => Promise<{ store?: Evaluation; result: T }>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO alarm_evaluation (sensor_id, window_start, states)
       VALUES ($1, '-infinity', '{}') ON CONFLICT (sensor_id) DO NOTHING`,
      [sensorId],
    );
    const { rows } = await client.query<{ window_start_us: string | null; states: unknown }>(
      `SELECT CASE WHEN isfinite(window_start)
                THEN (extract(epoch FROM window_start) * 1000000)::bigint END AS window_start_us,
              states
         FROM alarm_evaluation WHERE sensor_id = $1 FOR UPDATE`,
      [sensorId],
    );
    const row = rows[0];
    const evaluation: Evaluation = {
      windowStartUs: row?.window_start_us == null ? null : Number(row.window_start_us),
      states: parseStates(row?.states),
    };
    const { store, result } = await work(client, evaluation);
    if (store) {
      await client.query(
        `UPDATE alarm_evaluation
            SET window_start = CASE WHEN $2::bigint IS NULL THEN window_start
                  ELSE 'epoch'::timestamptz + $2::bigint * INTERVAL '1 microsecond' END,
                states = $3, updated_at = now()
          WHERE sensor_id = $1`,
        [sensorId, store.windowStartUs, JSON.stringify(store.states)],
      );
    }
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function parseStates(value: unknown): RuleStates {
  if (typeof value !== 'object' || value === null) return {};
  const states: RuleStates = {};
  for (const [rule, phase] of Object.entries(value)) {
    states[rule as RuleName] = parseRulePhase(phase);
  }
  return states;
}
