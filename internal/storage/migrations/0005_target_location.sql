-- requires: postgis
-- Why this file exists: GPS fixes of mobile sensors, for maps in Grafana and `iotctl watch`.
-- It is the only migration that needs PostGIS, so the PGlite test (which has none) can skip it
-- alone. PostGIS is mandatory in production; the superuser's init script creates it, and
-- IF NOT EXISTS lets the non-superuser owner pass when it already exists.
CREATE EXTENSION IF NOT EXISTS postgis;

-- target_id is the target the sensor was on when the fix was taken, NULL for a sensor on no
-- target (the fix is kept; sensor_id says whose it was). No foreign keys, like the other
-- time-series tables: ingest speed, and history outlives registry rows.
CREATE TABLE target_location (
  time        timestamptz            NOT NULL,
  target_id   bigint,
  sensor_id   bigint                 NOT NULL,
  location    geography(Point, 4326) NOT NULL,
  altitude_m  double precision,
  speed_mps   double precision       CHECK (speed_mps >= 0),
  heading_deg double precision       CHECK (heading_deg >= 0 AND heading_deg < 360),
  accuracy_m  double precision       CHECK (accuracy_m >= 0)
);

CREATE INDEX target_location_target_id_time_idx ON target_location (target_id, time DESC)
  WHERE target_id IS NOT NULL;
CREATE INDEX target_location_sensor_id_time_idx ON target_location (sensor_id, time DESC);
CREATE INDEX target_location_location_idx ON target_location USING gist (location);

-- With TimescaleDB: weekly chunks (a fix every few seconds is little data), kept a year.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM create_hypertable('target_location', 'time',
      chunk_time_interval => INTERVAL '7 days', if_not_exists => TRUE);
    PERFORM add_retention_policy('target_location', INTERVAL '365 days', if_not_exists => TRUE);
  END IF;
END
$$;
