-- Why this file exists: a sensor's sample frequency and state come from two messages on two
-- queues (its announcement, stored by sensor-registry, and its command acks, stored by
-- iot-api), so they may be stored in another order than the device sent them. reported_at is
-- the device's time of the report the row holds; an older report changes neither setting.
-- NULL: nothing dated yet (firmware older than Registration.reported_at_ms).
ALTER TABLE sensor ADD COLUMN reported_at timestamptz;
