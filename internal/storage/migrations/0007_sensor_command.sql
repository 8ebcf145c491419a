-- Why this file exists: commands to devices (sleep, awake, set_sample_frequency) and their
-- fate. The API inserts a row as 'queued', publishes it, marks it 'sent'; the device's ack
-- moves it to 'applied' or 'rejected', or the expiry sweep to 'expired'. Every change is also
-- appended to sensor_command_status, so `iotctl get commands S` can show the history.

CREATE TABLE sensor_command (
  id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  sensor_id  bigint      NOT NULL REFERENCES sensor (id) ON DELETE CASCADE,
  command    text        NOT NULL CHECK (command IN ('sleep', 'awake', 'set_sample_frequency')),
  -- e.g. {"sampleFrequency": 1000} for set_sample_frequency; {} otherwise.
  params     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  status     text        NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'sent', 'applied', 'rejected', 'expired')),
  -- Why a command was rejected or expired, as the device or the sweep put it.
  reason     text,
  -- NULL when issued by the system, or when the account was removed.
  issued_by  bigint      REFERENCES account (id) ON DELETE SET NULL,
  issued_at  timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  CHECK (expires_at > issued_at)
);

CREATE INDEX sensor_command_sensor_id_issued_at_idx ON sensor_command (sensor_id, issued_at DESC);
-- What the expiry sweep scans: commands still waiting for an ack.
CREATE INDEX sensor_command_open_expires_at_idx ON sensor_command (expires_at)
  WHERE status IN ('queued', 'sent');

CREATE TABLE sensor_command_status (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  command_id uuid        NOT NULL REFERENCES sensor_command (id) ON DELETE CASCADE,
  status     text        NOT NULL
    CHECK (status IN ('queued', 'sent', 'applied', 'rejected', 'expired')),
  reason     text,
  at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sensor_command_status_command_id_at_idx ON sensor_command_status (command_id, at);
