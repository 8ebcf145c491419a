-- Why this file exists: device log lines, queryable next to the measurements in Grafana.
-- (The logs ingester also writes them to .log files for Alloy and Loki.) Kept 30 days.
-- No foreign key to sensor, like the other time-series tables.

CREATE TABLE sensor_log (
  time      timestamptz NOT NULL,
  sensor_id bigint      NOT NULL,
  -- As the device sent it; the ingester lowercases it (debug, info, warn, error).
  level     text        NOT NULL,
  message   text        NOT NULL,
  fields    jsonb
);

CREATE INDEX sensor_log_sensor_id_time_idx ON sensor_log (sensor_id, time DESC);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM create_hypertable('sensor_log', 'time',
      chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE);
    PERFORM add_retention_policy('sensor_log', INTERVAL '30 days', if_not_exists => TRUE);
  END IF;
END
$$;
