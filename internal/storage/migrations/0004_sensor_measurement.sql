-- Why this file exists: the vibration samples, the platform's biggest table, and the
-- bookkeeping that makes their ingest idempotent.
--
-- sensor_measurement has neither a primary key nor a foreign key to sensor, on purpose: both
-- would cost an index probe per sample at ingest rates of thousands of rows per second per
-- sensor. The ingester resolves sensor_id from the registry before writing, and duplicate
-- deliveries are caught per batch by ingested_batch, in the same transaction as the samples.
-- Deleting a sensor therefore leaves its samples until retention drops them.

CREATE TABLE sensor_measurement (
  time      timestamptz      NOT NULL,
  sensor_id bigint           NOT NULL,
  value     double precision NOT NULL
);

CREATE INDEX sensor_measurement_sensor_id_time_idx ON sensor_measurement (sensor_id, time DESC);

-- With TimescaleDB: daily chunks, compressed after 7 days (segmented by sensor so one
-- sensor's range decompresses alone), dropped after 90 days. Plain PostgreSQL (the local
-- stack) keeps everything in one table and nothing expires.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM create_hypertable('sensor_measurement', 'time',
      chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE);
    EXECUTE 'ALTER TABLE sensor_measurement SET (timescaledb.compress, '
      'timescaledb.compress_segmentby = ''sensor_id'', timescaledb.compress_orderby = ''time'')';
    PERFORM add_compression_policy('sensor_measurement', INTERVAL '7 days', if_not_exists => TRUE);
    PERFORM add_retention_policy('sensor_measurement', INTERVAL '90 days', if_not_exists => TRUE);
  END IF;
END
$$;

-- One row per measurement batch written: the ingester inserts here first with
-- ON CONFLICT DO NOTHING and writes the samples only when the row is new. The batch's own
-- sequence number (per sensor) is the key.
--
-- A plain table: a hypertable's unique keys must include its time column, and this key is
-- (sensor_id, sequence) alone; it holds one row per batch, far fewer than the samples. Rows
-- matter only while their samples exist: with TimescaleDB the job below prunes rows older
-- than the measurement retention; on plain PostgreSQL nothing is pruned, like the samples.
CREATE TABLE ingested_batch (
  sensor_id    bigint      NOT NULL,
  sequence     bigint      NOT NULL,
  start_time   timestamptz NOT NULL,
  sample_count integer     NOT NULL CHECK (sample_count >= 0),
  ingested_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sensor_id, sequence)
);

CREATE INDEX ingested_batch_ingested_at_idx ON ingested_batch (ingested_at);

CREATE PROCEDURE prune_ingested_batch(job_id integer, config jsonb)
LANGUAGE sql
AS $$
  DELETE FROM ingested_batch
  WHERE ingested_at < now() - COALESCE((config ->> 'keep')::interval, INTERVAL '90 days');
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM add_job('prune_ingested_batch', INTERVAL '1 day',
      config => '{"keep": "90 days"}'::jsonb);
  END IF;
END
$$;
