// Judges silence on a timer: every sensor's connectivity from the sensor_health view (online,
// stale, offline; migration 0015), a change announced to the live view, and the `offline`
// rule stepped for each awake sensor that is offline or has an offline alarm open. A sleeping
// sensor is never offline-alarmed (asleep is not offline), and going to sleep clears it.
import type pg from 'pg';
import {
  NORMAL,
  parseRulePhase,
  ruleBook,
  stepRule,
  type Connectivity,
} from '../../internal/alarms/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import { applyStep, notifyLive, type AlarmChange } from './alarm-rows.js';
import { withEvaluation } from './evaluation-lock.js';

interface HealthRow {
  sensor_id: string;
  organization_id: string;
  serial_number: string;
  state: 'awake' | 'asleep';
  target_id: string | null;
  connectivity: Connectivity;
  silent_s: number | null;
  offline_after_s: number;
  offline_state: unknown;
}

export class FleetSweep {
  private readonly previous = new Map<string, Connectivity>();
  private seeded = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly onChange: (change: AlarmChange) => void,
  ) {}

  /** One pass over the fleet; the changes it made to alarms. */
  async sweep(now = Date.now()): Promise<AlarmChange[]> {
    const { rows } = await this.pool.query<HealthRow>(
      `SELECT h.sensor_id, h.organization_id, h.serial_number, h.state, h.target_id,
              h.connectivity, h.offline_after_s,
              extract(epoch FROM now() - h.last_seen)::float8 AS silent_s,
              e.states -> 'offline' AS offline_state
         FROM sensor_health h LEFT JOIN alarm_evaluation e ON e.sensor_id = h.sensor_id`,
    );
    const changes: AlarmChange[] = [];
    for (const row of rows) {
      await this.announce(row);
      // A sensor enrolled but never heard from is not a sensor that fell silent.
      const breach =
        row.connectivity === 'offline' && row.state === 'awake' && row.silent_s !== null;
      if (!breach && parseRulePhase(row.offline_state).phase === 'normal') continue;
      const change = await this.stepOffline(row, breach, now);
      if (change) changes.push(change);
    }
    this.seeded = true;
    for (const change of changes) this.onChange(change);
    return changes;
  }

  private async announce(row: HealthRow): Promise<void> {
    const before = this.previous.get(row.sensor_id);
    this.previous.set(row.sensor_id, row.connectivity);
    // The first pass only learns where everyone stands.
    if (!this.seeded || before === row.connectivity) return;
    this.logger.info(
      { serial: row.serial_number, from: before ?? null, to: row.connectivity },
      'connectivity changed',
    );
    await notifyLive(this.pool, {
      type: 'connectivity',
      organizationId: row.organization_id,
      serial: row.serial_number,
      connectivity: row.connectivity,
      previous: before ?? null,
    });
  }

  private stepOffline(row: HealthRow, breach: boolean, now: number) {
    const sensor = {
      id: Number(row.sensor_id),
      serial: row.serial_number,
      organizationId: row.organization_id,
    };
    return withEvaluation(this.pool, sensor.id, async (client, evaluation) => {
      const settings = (await ruleBook(client, row.target_id)).offline;
      const { state, step } = stepRule(evaluation.states.offline ?? NORMAL, {
        verdict: { breach, clearable: !breach },
        startMs: now,
        endMs: now,
        enabled: settings.enabled,
        raiseAfterMs: settings.raiseAfterMs,
        clearAfterMs: settings.clearAfterMs,
      });
      const silent = Math.round(row.silent_s ?? 0);
      const change = await applyStep(client, sensor, 'offline', settings, step, {
        value: silent,
        message: `nothing heard for ${silent} s (offline after ${row.offline_after_s} s)`,
        diagnosis: null,
      });
      return {
        store: {
          windowStartUs: evaluation.windowStartUs,
          states: { ...evaluation.states, offline: state },
        },
        result: change,
      };
    });
  }
}
