-- Why this file exists: waveforms are stored as blocks, one row per measurement batch, instead
-- of one row per sample. A row per 4-byte sample cost about 84 bytes on disk and capped ingest
-- at the rows PostgreSQL can COPY (0.4-0.8 M/s on the development machine); a block of a
-- second's samples in a real[] costs about 4.1 bytes a sample and COPYs at over 10 M samples/s.
-- Vibration systems keep waveform captures plus trend features, not a row per sample.
--
-- One block per batch: the sensor, where it starts and ends, its rate, the device's sequence
-- number, and the samples as float4 (what the devices send). Sample i (from 0) lies at
-- start_time + floor(i * 10^6 / sample_rate_hz + 0.5) microseconds; end_time is where the next
-- sample would lie, so consecutive blocks meet exactly: next.start_time = end_time.
--
-- The primary key (sensor_id, start_time) makes ingest idempotent by itself (a redelivered
-- batch has the same key) and includes the time column, as a hypertable's unique key must;
-- it also serves every range read. ingested_batch, the bookkeeping table of the row layout,
-- goes. The ingester refuses a block that overlaps another of the same sensor.

ALTER TABLE sensor_measurement RENAME TO sensor_measurement_rows;

CREATE TABLE sensor_measurement (
  sensor_id      bigint           NOT NULL,
  start_time     timestamptz      NOT NULL,
  end_time       timestamptz      NOT NULL,
  sample_rate_hz double precision NOT NULL CHECK (sample_rate_hz > 0),
  sequence       bigint           NOT NULL,
  -- cardinality(samples), kept beside it so counting samples never reads the arrays.
  sample_count   integer          NOT NULL CHECK (sample_count > 0),
  samples        real[]           NOT NULL,
  CONSTRAINT sensor_measurement_block_pkey PRIMARY KEY (sensor_id, start_time),
  CONSTRAINT sensor_measurement_block_span CHECK (end_time > start_time),
  CONSTRAINT sensor_measurement_block_count CHECK (sample_count = cardinality(samples))
);

-- Float samples barely compress: EXTERNAL stores large arrays out of line without spending
-- ingest CPU on a pglz attempt that would save almost nothing.
ALTER TABLE sensor_measurement ALTER COLUMN samples SET STORAGE EXTERNAL;

-- Retention deletes the oldest blocks of every sensor; this index finds them without a scan.
CREATE INDEX sensor_measurement_start_time_idx ON sensor_measurement (start_time);

-- With TimescaleDB: daily chunks on the start time, compressed after a day (segmented by
-- sensor, so one sensor's range decompresses alone) and dropped after 7 days: raw waveforms
-- are for looking closely at recent behaviour; the features are the long-term trend.
-- Plain PostgreSQL (the local stack): the ingester's retention job deletes old blocks
-- (IOT_RAW_RETENTION, default 7 days).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM create_hypertable('sensor_measurement', 'start_time',
      chunk_time_interval => INTERVAL '1 day', create_default_indexes => FALSE);
    EXECUTE 'ALTER TABLE sensor_measurement SET (timescaledb.compress, '
      'timescaledb.compress_segmentby = ''sensor_id'', '
      'timescaledb.compress_orderby = ''start_time'')';
    PERFORM add_compression_policy('sensor_measurement', INTERVAL '1 day');
    PERFORM add_retention_policy('sensor_measurement', INTERVAL '7 days');
  END IF;
END
$$;

-- Carry the stored samples over. Each ingested_batch row says where a batch started and how
-- many samples it had: the samples of a sensor in time order from that start, up to that
-- count, form its block. The rate is the sensor's reported one where the block's samples sit
-- exactly on it (the usual case), else what their spacing says. A block ends where its next
-- sample would lie, but never past the start of the sensor's next block. Samples no batch
-- accounts for
-- (written by hand, say) become one-sample blocks at the sensor's reported rate; one that
-- would start exactly where a block starts is the same sample stored twice.
CREATE TEMPORARY TABLE carried ON COMMIT DROP AS
WITH marked AS (
  SELECT sensor_id, start_time AS time, NULL::real AS value, sequence, sample_count, 0 AS kind
  FROM ingested_batch
  UNION ALL
  SELECT sensor_id, time, value::real, NULL, NULL, 1 FROM sensor_measurement_rows
),
grouped AS (
  -- batch_no: how many batch starts precede this row (a start sorts before its first sample).
  SELECT *, count(sequence) OVER (PARTITION BY sensor_id ORDER BY time, kind, sequence
                                  ROWS UNBOUNDED PRECEDING) AS batch_no
  FROM marked
),
placed AS (
  SELECT *,
    first_value(sequence) OVER b AS block_sequence,
    first_value(sample_count) OVER b AS block_count,
    row_number() OVER b - 1 AS position
  FROM grouped
  WINDOW b AS (PARTITION BY sensor_id, batch_no ORDER BY time, kind, sequence
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT sensor_id, time, value, block_sequence, batch_no,
  batch_no > 0 AND position <= block_count AS in_block
FROM placed
WHERE kind = 1;

INSERT INTO sensor_measurement
  (sensor_id, start_time, end_time, sample_rate_hz, sequence, sample_count, samples)
SELECT sensor_id, start_time,
  least(start_time + floor(n * 1000000.0::float8 / rate + 0.5) * INTERVAL '1 microsecond',
        lead(start_time) OVER (PARTITION BY sensor_id ORDER BY start_time)),
  rate, block_sequence, n, samples
FROM (
  SELECT sensor_id, start_time, block_sequence, n, samples,
    CASE
      WHEN n = 1 OR span_us = 0 THEN COALESCE(reported, 1)
      -- The reported rate puts the last sample exactly where it is: that rate, unrounded.
      WHEN floor((n - 1) * 1000000.0::float8 / reported + 0.5) = span_us THEN reported
      ELSE (n - 1) * 1000000.0::float8 / span_us
    END AS rate
  FROM (
    SELECT c.sensor_id, min(c.time) AS start_time, c.block_sequence, count(*)::int AS n,
      array_agg(c.value ORDER BY c.time) AS samples,
      (extract(epoch FROM max(c.time) - min(c.time)) * 1000000)::float8 AS span_us,
      (SELECT s.sample_frequency FROM sensor s WHERE s.id = c.sensor_id) AS reported
    FROM carried c
    WHERE c.in_block
    GROUP BY c.sensor_id, c.batch_no, c.block_sequence
  ) AS grouped_blocks
) AS blocks;

INSERT INTO sensor_measurement
  (sensor_id, start_time, end_time, sample_rate_hz, sequence, sample_count, samples)
SELECT c.sensor_id, c.time, c.time + floor(1000000.0::float8 / r.rate + 0.5) * INTERVAL '1 microsecond', r.rate,
  0, 1, ARRAY[c.value]
FROM carried c
CROSS JOIN LATERAL (
  SELECT COALESCE((SELECT s.sample_frequency FROM sensor s WHERE s.id = c.sensor_id), 1) AS rate
) AS r
WHERE NOT c.in_block
ON CONFLICT (sensor_id, start_time) DO NOTHING;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM delete_job(job_id) FROM timescaledb_information.jobs
    WHERE proc_name = 'prune_ingested_batch';
  END IF;
END
$$;
DROP PROCEDURE prune_ingested_batch(integer, jsonb);
DROP TABLE ingested_batch;
DROP TABLE sensor_measurement_rows;

-- The documented way to read samples with timestamps, for SQL users and Grafana:
--   SELECT time, value FROM sensor_samples('AAD-1123', now() - interval '10 s', now());
-- Rows of [start_at, end_at), in time order. It reads only the blocks that overlap the range,
-- through the primary key: a block lasts at most 10 minutes (MAX_BATCH_DURATION_MS in
-- internal/validation), so no block that starts earlier than that before start_at can reach
-- into it. Sample i's offset is floor(i * 10^6 / rate + 0.5) microseconds: the ingester's
-- Math.round exactly (round() on float8 would round ties to even). Each block is unnested
-- only over the slice of indexes that can fall in the range (one sample of margin each
-- side, then the exact test), and blocks come in order, so no sort is needed: PL/pgSQL,
-- because a plain SQL function is inlined and recomputes the slice for every row.
CREATE FUNCTION sensor_samples(serial text, start_at timestamptz, end_at timestamptz)
RETURNS TABLE ("time" timestamptz, value real)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  b record;
  sid bigint;
  lo integer;
  hi integer;
BEGIN
  SELECT s.id INTO sid FROM sensor s WHERE s.serial_number = sensor_samples.serial;
  FOR b IN
    SELECT m.start_time, m.end_time, m.sample_rate_hz, m.sample_count, m.samples
    FROM sensor_measurement m
    WHERE m.sensor_id = sid AND m.start_time > start_at - INTERVAL '10 minutes'
      AND m.start_time < end_at AND m.end_time > start_at
    ORDER BY m.start_time
  LOOP
    lo := CASE WHEN start_at <= b.start_time THEN 1 ELSE
            floor(extract(epoch FROM start_at - b.start_time) * b.sample_rate_hz)::integer END;
    hi := CASE WHEN end_at >= b.end_time THEN b.sample_count ELSE
            least(b.sample_count,
                  ceil(extract(epoch FROM end_at - b.start_time) * b.sample_rate_hz)::integer + 1)
          END;
    lo := greatest(lo, 1);
    IF lo <= hi THEN
      RETURN QUERY
        SELECT t.at, t.v FROM (
          SELECT b.start_time + floor((lo - 2 + u.n) * 1000000.0::float8 / b.sample_rate_hz + 0.5)
                 * INTERVAL '1 microsecond' AS at, u.v
          FROM unnest(b.samples[lo:hi]) WITH ORDINALITY AS u (v, n)
        ) AS t
        WHERE t.at >= start_at AND t.at < end_at;
    END IF;
  END LOOP;
END
$$;

-- Retention on plain PostgreSQL: deletes up to batch_size of the oldest blocks that ended
-- before cutoff and says how many; the ingester's job calls it until it returns less than
-- batch_size, so no transaction holds many rows or locks for long.
CREATE FUNCTION drop_raw_blocks(cutoff timestamptz, batch_size integer)
RETURNS integer
LANGUAGE sql
AS $$
  WITH doomed AS (
    SELECT ctid FROM sensor_measurement
    WHERE start_time < $1 AND end_time <= $1
    ORDER BY start_time
    LIMIT $2
  ), gone AS (
    DELETE FROM sensor_measurement m USING doomed d WHERE m.ctid = d.ctid RETURNING 1
  )
  SELECT count(*)::int FROM gone
$$;
