-- Why this file exists: the logs ingester acks a line only after it is stored, so a crash or a
-- lost ack redelivers lines it already wrote, and a device resends a line whose MQTT PUBACK it
-- missed. This index lets it insert with ON CONFLICT DO NOTHING and store each line once.
-- The key includes `time` because TimescaleDB requires the partitioning column in every unique
-- index of a hypertable; the message (up to 4096 characters, too long for a btree entry) enters
-- as its md5. Two different lines of one sensor at the same millisecond with the same text are
-- indistinguishable, and are stored once. No service wrote sensor_log before this migration, so
-- there are no duplicates that would stop the index from building.

CREATE UNIQUE INDEX sensor_log_dedup_idx ON sensor_log (sensor_id, time, md5(message));
