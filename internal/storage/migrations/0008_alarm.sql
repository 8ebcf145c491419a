-- Why this file exists: alarms raised by the analytics service (sensor-alarms) when a
-- sensor's measurements cross a threshold, until an operator acknowledges them
-- (`iotctl alarms ack ID`).

CREATE TABLE alarm (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sensor_id       bigint      NOT NULL REFERENCES sensor (id) ON DELETE CASCADE,
  -- What was detected, e.g. 'vibration_rms_high'; named by the analytics service.
  kind            text        NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 100),
  severity        text        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  message         text        NOT NULL,
  raised_at       timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  -- NULL while open, or when the acknowledging account was removed.
  acknowledged_by bigint      REFERENCES account (id) ON DELETE SET NULL,
  CHECK (acknowledged_by IS NULL OR acknowledged_at IS NOT NULL)
);

CREATE INDEX alarm_sensor_id_raised_at_idx ON alarm (sensor_id, raised_at DESC);
-- `iotctl get alarms` lists the open ones.
CREATE INDEX alarm_open_raised_at_idx ON alarm (raised_at DESC) WHERE acknowledged_at IS NULL;
