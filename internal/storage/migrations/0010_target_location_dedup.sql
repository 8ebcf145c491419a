-- requires: postgis
-- Why this file exists: a GPS fix redelivered by the broker must be stored once. One fix per
-- sensor and instant; the unique index includes `time`, as TimescaleDB requires of unique
-- indexes on a hypertable, and the ingester inserts with ON CONFLICT DO NOTHING.
DROP INDEX IF EXISTS target_location_sensor_id_time_idx;
CREATE UNIQUE INDEX target_location_sensor_id_time_key ON target_location (sensor_id, time DESC);
