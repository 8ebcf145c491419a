-- Why this file exists: the features are a read model of the stored waveform blocks, and can be
-- rebuilt from them after an algorithm change (`iotctl features recompute SERIAL --since …
-- --until …`). A request is a row here: iot-api inserts it, any sensor-analytics replica
-- claims it (a session advisory lock on its id, so one replica works on it and a crashed
-- one's job is taken over), replaces the sensor's windows in the range from the blocks in one
-- transaction, and marks it done in that same transaction. So a job is done exactly when its
-- windows are replaced, and running it twice gives the same rows.

CREATE TABLE feature_recompute (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sensor_id    bigint      NOT NULL REFERENCES sensor (id) ON DELETE CASCADE,
  -- Windows starting in [since, until) are replaced by those computed from the blocks
  -- starting in it.
  since        timestamptz NOT NULL,
  until        timestamptz NOT NULL,
  status       text        NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'running', 'done', 'failed')),
  -- Who asked (the username, kept when the account goes).
  requested_by text        NOT NULL CHECK (char_length(requested_by) BETWEEN 1 AND 100),
  requested_at timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz,
  -- Blocks read, old windows removed and new windows written, once done.
  blocks       integer,
  removed      integer,
  windows      integer,
  -- Why it failed (status 'failed').
  error        text,
  CHECK (until > since),
  CHECK ((status = 'failed') = (error IS NOT NULL))
);

-- What the replicas look for every second: the jobs not finished yet.
CREATE INDEX feature_recompute_open_idx ON feature_recompute (id)
  WHERE status IN ('queued', 'running');
CREATE INDEX feature_recompute_sensor_idx ON feature_recompute (sensor_id, id DESC);
