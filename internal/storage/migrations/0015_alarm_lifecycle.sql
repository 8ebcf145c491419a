-- Why this file exists: sensor-alarms raises alarms from the analytics' features and from
-- sensors falling silent (rules per target), and tells the machine's controller over gRPC.
-- The `alarm` table of 0008 grows into that: one row per sensor and rule while the condition
-- lasts (updated, never duplicated), the lifecycle active → acknowledged → cleared
-- (ThingsBoard's active/cleared × acked/unacked), the four severities, the action's outcome,
-- and every transition kept in alarm_transition. sensor_id, severity and raised_at keep their
-- names: dashboards read them.

-- 0008's severities were info/warning/critical; the rules use critical/major/minor/warning.
ALTER TABLE alarm DROP CONSTRAINT alarm_severity_check;
UPDATE alarm SET severity = 'warning' WHERE severity = 'info';
ALTER TABLE alarm ADD CONSTRAINT alarm_severity_check
  CHECK (severity IN ('critical', 'major', 'minor', 'warning'));

-- What 0008 called the kind is the rule that raised it (internal/alarms RULE_NAMES).
ALTER TABLE alarm RENAME COLUMN kind TO rule;

ALTER TABLE alarm
  -- The reading that raised it, the worst one since, and when the condition was last seen.
  ADD COLUMN value        double precision,
  ADD COLUMN peak_value   double precision,
  ADD COLUMN last_seen_at timestamptz,
  -- The analytics' diagnosis (bearing_outer_race, …) when the rule is about one.
  ADD COLUMN diagnosis    text,
  ADD COLUMN cleared_at   timestamptz,
  ADD COLUMN state        text GENERATED ALWAYS AS (
    CASE WHEN cleared_at IS NOT NULL THEN 'cleared'
         WHEN acknowledged_at IS NOT NULL THEN 'acknowledged'
         ELSE 'active' END) STORED,
  -- The machine action the rule named, and what became of it. The key travels with every
  -- attempt, so the controller applies a retried action once.
  ADD COLUMN action            text CHECK (action IN ('notify', 'reduce-speed', 'stop')),
  ADD COLUMN action_key        uuid,
  ADD COLUMN action_status     text CHECK (action_status IN ('pending', 'delivered', 'failed')),
  ADD COLUMN action_reason     text,
  ADD COLUMN action_attempts   integer NOT NULL DEFAULT 0,
  ADD COLUMN action_updated_at timestamptz,
  ADD CONSTRAINT alarm_action_complete CHECK (
    (action IS NULL AND action_key IS NULL AND action_status IS NULL)
    OR (action IS NOT NULL AND action_key IS NOT NULL AND action_status IS NOT NULL));

-- One open alarm per sensor and rule: a second raise is an update, whichever replica tries.
CREATE UNIQUE INDEX alarm_open_per_rule_idx ON alarm (sensor_id, rule) WHERE cleared_at IS NULL;
DROP INDEX alarm_open_raised_at_idx;
CREATE INDEX alarm_open_raised_at_idx ON alarm (raised_at DESC) WHERE cleared_at IS NULL;
-- What the action dispatcher picks up after a restart.
CREATE INDEX alarm_action_pending_idx ON alarm (id) WHERE action_status = 'pending';

-- Every change of an alarm, in order: raised, acknowledged (by whom), cleared, and the
-- action's delivery or failure.
CREATE TABLE alarm_transition (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alarm_id    bigint      NOT NULL REFERENCES alarm (id) ON DELETE CASCADE,
  transition  text        NOT NULL CHECK (transition IN
    ('raised', 'acknowledged', 'cleared', 'action-delivered', 'action-failed')),
  at          timestamptz NOT NULL DEFAULT now(),
  -- The account that acknowledged; NULL for the alarms service's own transitions.
  account_id  bigint      REFERENCES account (id) ON DELETE SET NULL,
  detail      text
);
CREATE INDEX alarm_transition_alarm_id_idx ON alarm_transition (alarm_id, id);

-- A target's own settings of a rule; a rule without a row, or a NULL column, has the default
-- of internal/alarms (default-rules.ts).
CREATE TABLE alarm_rule (
  target_id       bigint      NOT NULL REFERENCES target (id) ON DELETE CASCADE,
  rule            text        NOT NULL CHECK (char_length(rule) BETWEEN 1 AND 40),
  enabled         boolean,
  threshold       double precision,
  raise_after_ms  integer     CHECK (raise_after_ms >= 0),
  clear_after_ms  integer     CHECK (clear_after_ms >= 0),
  severity        text        CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
  -- 'none' overrides a default action with none; NULL keeps the default.
  action          text        CHECK (action IN ('none', 'notify', 'reduce-speed', 'stop')),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_id, rule)
);

-- Where each sensor's rule evaluation stands (pending since, raised, clearing since), and the
-- last window it took in: a redelivered or late feature event is skipped, a restart carries
-- on. The row is also the per-sensor lock of sensor-alarms.
CREATE TABLE alarm_evaluation (
  sensor_id     bigint      PRIMARY KEY REFERENCES sensor (id) ON DELETE CASCADE,
  window_start  timestamptz NOT NULL,
  states        jsonb       NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Fleet health, in one place for the API, the alarms service and dashboards. A sensor is
-- offline when nothing at all came from it for its target's `offline` threshold (ten minutes
-- unless set), stale when awake and no batch came for three of its own batch intervals (the
-- mean time between its last batches), online otherwise. A sleeping sensor sends no batches
-- but still logs its heartbeat: asleep is never stale.
CREATE VIEW sensor_health AS
SELECT s.id AS sensor_id, s.organization_id, s.serial_number, s.state, s.target_id,
       s.registered_at, s.last_seen, b.last_batch_at, b.mean_interval_s, b.batches,
       COALESCE(r.threshold, 600) AS offline_after_s,
       CASE
         WHEN s.last_seen IS NULL
           OR s.last_seen < now() - make_interval(secs => COALESCE(r.threshold, 600))
           THEN 'offline'
         WHEN s.state = 'awake' AND b.mean_interval_s IS NOT NULL
           AND b.last_batch_at < now() - make_interval(secs => 3 * b.mean_interval_s)
           THEN 'stale'
         ELSE 'online'
       END AS connectivity
  FROM sensor s
  LEFT JOIN alarm_rule r ON r.target_id = s.target_id AND r.rule = 'offline'
  LEFT JOIN LATERAL (
    -- The last 20 batches: enough for a steady mean, few enough to read from the key.
    SELECT max(end_time) AS last_batch_at, count(*) AS batches,
           CASE WHEN count(*) > 1 THEN
             extract(epoch FROM max(start_time) - min(start_time))::float8 / (count(*) - 1)
           END AS mean_interval_s
      FROM (SELECT start_time, end_time FROM sensor_measurement m
             WHERE m.sensor_id = s.id ORDER BY start_time DESC LIMIT 20) last
  ) b ON TRUE;
