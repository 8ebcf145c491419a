-- Why this file exists: the registry. A sensor is a device (identified by its serial number,
-- which is also its broker username); a target is the machine or vehicle it is mounted on.
-- Column names of `sensor` follow the original Go service's table.

CREATE TABLE target (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id bigint      NOT NULL REFERENCES organization (id),
  name            text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  -- 'mobile' targets carry a GPS sensor and get rows in target_location.
  kind            text        NOT NULL DEFAULT 'fixed' CHECK (kind IN ('fixed', 'mobile')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, name),
  -- Lets sensor reference (organization_id, id) so a sensor cannot sit on another org's target.
  UNIQUE (organization_id, id)
);

CREATE TABLE sensor (
  id                       bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- 1-32 of A-Z a-z 0-9 -, at least one letter (e.g. AAD-1123); unique across organizations
  -- because the broker knows devices by serial alone.
  serial_number            text             NOT NULL UNIQUE
    CONSTRAINT sensor_serial_number_format
    CHECK (serial_number ~ '^[A-Za-z0-9-]{1,32}$' AND serial_number ~ '[A-Za-z]'),
  organization_id          bigint           NOT NULL REFERENCES organization (id),
  -- Hz, as the device last reported it. The bounds also reject NaN and Infinity.
  sample_frequency         double precision NOT NULL
    CONSTRAINT sensor_sample_frequency_range
    CHECK (sample_frequency > 0 AND sample_frequency <= 100000),
  target_id                bigint,
  state                    text             NOT NULL DEFAULT 'awake'
    CHECK (state IN ('awake', 'asleep')),
  last_seen                timestamptz,
  registered_at            timestamptz      NOT NULL DEFAULT now(),
  -- What the last accepted command asked for; NULL when no command is outstanding or ever
  -- sent. Compared with state/sample_frequency to show drift.
  desired_state            text             CHECK (desired_state IN ('awake', 'asleep')),
  desired_sample_frequency double precision
    CONSTRAINT sensor_desired_sample_frequency_range
    CHECK (desired_sample_frequency > 0 AND desired_sample_frequency <= 100000),
  firmware_version         text,
  -- Deleting a target unassigns its sensors (only target_id is cleared: PostgreSQL 15+).
  FOREIGN KEY (organization_id, target_id)
    REFERENCES target (organization_id, id) ON DELETE SET NULL (target_id)
);

CREATE INDEX sensor_target_id_idx ON sensor (target_id) WHERE target_id IS NOT NULL;
CREATE INDEX sensor_organization_id_idx ON sensor (organization_id);
