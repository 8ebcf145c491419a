-- Why this file exists: sensor-analytics turns each sensor's waveform into one row of
-- features per window (levels, ISO zone, spectra lines, bearing defect lines, diagnosis,
-- anomaly score). Raw blocks expire after days; these rows are the long-term trend. The
-- analysis needs the machine a sensor sits on, so targets gain its parameters.
--
-- target: running speed, one rolling-element bearing's geometry, the ISO 10816/20816 class
-- and, for the alarms service, the address of the machine's controller. All optional: a
-- target without rpm still gets levels and zones, without a bearing no defect lines.
ALTER TABLE target
  ADD COLUMN rpm double precision
    CONSTRAINT target_rpm_range CHECK (rpm > 0 AND rpm <= 100000),
  ADD COLUMN bearing_balls integer
    CONSTRAINT target_bearing_balls_range CHECK (bearing_balls BETWEEN 1 AND 100),
  ADD COLUMN bearing_ball_mm double precision
    CONSTRAINT target_bearing_ball_mm_range CHECK (bearing_ball_mm > 0 AND bearing_ball_mm <= 1000),
  ADD COLUMN bearing_pitch_mm double precision
    CONSTRAINT target_bearing_pitch_mm_range
    CHECK (bearing_pitch_mm > 0 AND bearing_pitch_mm <= 10000),
  ADD COLUMN bearing_angle_deg double precision
    CONSTRAINT target_bearing_angle_deg_range
    CHECK (bearing_angle_deg >= 0 AND bearing_angle_deg < 90),
  ADD COLUMN iso_class text
    CONSTRAINT target_iso_class_known CHECK (iso_class IN ('group1-rigid', 'group1-flexible',
      'group2-rigid', 'group2-flexible', 'I', 'II', 'III', 'IV')),
  ADD COLUMN controller_address text
    CONSTRAINT target_controller_address_length
    CHECK (char_length(controller_address) BETWEEN 1 AND 255),
  -- A bearing is balls, ball and pitch diameter together (the angle defaults to 0°, a
  -- deep-groove bearing under radial load), and its balls are smaller than its pitch circle.
  ADD CONSTRAINT target_bearing_complete CHECK (
    (bearing_balls IS NULL AND bearing_ball_mm IS NULL AND bearing_pitch_mm IS NULL
      AND bearing_angle_deg IS NULL)
    OR (bearing_balls IS NOT NULL AND bearing_ball_mm IS NOT NULL AND bearing_pitch_mm IS NOT NULL
      AND bearing_ball_mm < bearing_pitch_mm));

-- One row per sensor and window, keyed by where the window starts: the analytics service
-- writes it with ON CONFLICT DO UPDATE, so a redelivered window, or one that two replicas
-- both saw, is one row. No foreign key to sensor, like the other time-series tables (a
-- hypertable's rows are removed by deleteSensor, cmd/iot-api/store/sensors-store.ts).
-- Units are in the names; NULL where the rate or the machine's parameters cannot give it.
CREATE TABLE sensor_feature (
  sensor_id              bigint           NOT NULL,
  window_start           timestamptz      NOT NULL,
  window_end             timestamptz      NOT NULL,
  sample_rate_hz         double precision NOT NULL CHECK (sample_rate_hz > 0),
  sample_count           integer          NOT NULL CHECK (sample_count > 0),
  acceleration_rms_g     double precision NOT NULL,
  acceleration_peak_g    double precision NOT NULL,
  crest_factor           double precision NOT NULL,
  kurtosis               double precision NOT NULL,
  velocity_rms_mm_s      double precision,
  iso_class              text,
  iso_zone               text CHECK (iso_zone IN ('A', 'B', 'C', 'D')),
  dominant_hz            double precision NOT NULL,
  dominant_amplitude_g   double precision NOT NULL,
  -- Running-speed lines (needs rpm): acceleration peak and velocity RMS at 1× and 2×.
  x1_g                   double precision,
  x1_velocity_mm_s       double precision,
  x2_g                   double precision,
  x2_velocity_mm_s       double precision,
  -- Envelope analysis (needs 3.2 kHz or more): band RMS and the strongest envelope line.
  envelope_band_rms_g    double precision,
  envelope_dominant_hz   double precision,
  envelope_dominant_g    double precision,
  -- Strength (line / local median) of each bearing defect frequency's first harmonic in the
  -- envelope spectrum (needs rpm, the bearing and envelope analysis); 4 or more stands out.
  bpfo_strength          double precision,
  bpfi_strength          double precision,
  bsf_strength           double precision,
  ftf_strength           double precision,
  diagnosis              text CHECK (diagnosis IN ('bearing_outer_race', 'bearing_inner_race',
    'bearing_ball', 'imbalance', 'misalignment', 'looseness', 'sensor_fault')),
  diagnosis_evidence     text,
  anomaly_score          double precision,
  baseline_status        text             NOT NULL
    CHECK (baseline_status IN ('none', 'learning', 'ready', 'rate-mismatch')),
  -- The baseline's inputs (natural logs of levels), to explain a score or learn again.
  feature_vector         jsonb            NOT NULL,
  analysed_at            timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT sensor_feature_pkey PRIMARY KEY (sensor_id, window_start),
  CONSTRAINT sensor_feature_span CHECK (window_end > window_start)
);

-- A sensor's learned baseline (internal/vibration, plain JSON) and where its analysis stands,
-- so a restart, a replica or a redelivery continues instead of relearning or re-counting.
-- The row is also the per-sensor lock: every window is analysed inside a transaction that
-- holds it FOR UPDATE (cmd/sensor-analytics/sensor-analysis.ts).
CREATE TABLE sensor_baseline (
  sensor_id         bigint      PRIMARY KEY REFERENCES sensor (id) ON DELETE CASCADE,
  baseline          jsonb       NOT NULL,
  -- Where the next batch is expected to start (the end of the last one taken in), NULL
  -- before the first.
  next_start        timestamptz,
  -- Samples taken in but not yet a full window (windows longer than a batch), from
  -- pending_start, at the baseline's rate.
  pending_start     timestamptz,
  pending           real[],
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- The latest spectra of each sensor, thinned for dashboards (internal/vibration
-- dashboardSpectrum): value i is the peak of the bucket starting at i × step_hz.
CREATE TABLE sensor_spectrum (
  sensor_id             bigint           PRIMARY KEY REFERENCES sensor (id) ON DELETE CASCADE,
  window_start          timestamptz      NOT NULL,
  window_end            timestamptz      NOT NULL,
  sample_rate_hz        double precision NOT NULL,
  -- Acceleration spectrum, g peak, up to the analysis bandwidth (rate / 2.56).
  spectrum_step_hz      double precision NOT NULL,
  spectrum              real[]           NOT NULL,
  -- Envelope spectrum, g, up to 1 kHz; NULL below 3.2 kHz (no envelope analysis).
  envelope_step_hz      double precision,
  envelope_spectrum     real[],
  updated_at            timestamptz      NOT NULL DEFAULT now()
);

-- With TimescaleDB: weekly chunks (a 1 s window is 86,400 rows a day per sensor) and
-- continuous aggregates per minute and per hour, refreshed by policy, for trends over months.
-- Plain PostgreSQL (the local stack): a plain table, and views of the same names and columns
-- computed on read, so dashboards query the same names on both.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM create_hypertable('sensor_feature', 'window_start',
      chunk_time_interval => INTERVAL '7 days', create_default_indexes => FALSE);
    EXECUTE $view$
      CREATE MATERIALIZED VIEW sensor_feature_1m WITH (timescaledb.continuous) AS
      SELECT sensor_id, time_bucket(INTERVAL '1 minute', window_start) AS bucket,
        count(*) AS windows, count(diagnosis) AS diagnosed,
        avg(acceleration_rms_g) AS acceleration_rms_g, max(acceleration_peak_g) AS acceleration_peak_g,
        avg(velocity_rms_mm_s) AS velocity_rms_mm_s, max(velocity_rms_mm_s) AS velocity_rms_max_mm_s,
        max(kurtosis) AS kurtosis_max, max(anomaly_score) AS anomaly_score_max
      FROM sensor_feature GROUP BY sensor_id, bucket WITH NO DATA
    $view$;
    EXECUTE $view$
      CREATE MATERIALIZED VIEW sensor_feature_1h WITH (timescaledb.continuous) AS
      SELECT sensor_id, time_bucket(INTERVAL '1 hour', window_start) AS bucket,
        count(*) AS windows, count(diagnosis) AS diagnosed,
        avg(acceleration_rms_g) AS acceleration_rms_g, max(acceleration_peak_g) AS acceleration_peak_g,
        avg(velocity_rms_mm_s) AS velocity_rms_mm_s, max(velocity_rms_mm_s) AS velocity_rms_max_mm_s,
        max(kurtosis) AS kurtosis_max, max(anomaly_score) AS anomaly_score_max
      FROM sensor_feature GROUP BY sensor_id, bucket WITH NO DATA
    $view$;
    PERFORM add_continuous_aggregate_policy('sensor_feature_1m',
      start_offset => INTERVAL '1 hour', end_offset => INTERVAL '1 minute',
      schedule_interval => INTERVAL '1 minute');
    PERFORM add_continuous_aggregate_policy('sensor_feature_1h',
      start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour',
      schedule_interval => INTERVAL '30 minutes');
  ELSE
    CREATE VIEW sensor_feature_1m AS
    SELECT sensor_id, date_trunc('minute', window_start) AS bucket,
      count(*) AS windows, count(diagnosis) AS diagnosed,
      avg(acceleration_rms_g) AS acceleration_rms_g, max(acceleration_peak_g) AS acceleration_peak_g,
      avg(velocity_rms_mm_s) AS velocity_rms_mm_s, max(velocity_rms_mm_s) AS velocity_rms_max_mm_s,
      max(kurtosis) AS kurtosis_max, max(anomaly_score) AS anomaly_score_max
    FROM sensor_feature GROUP BY sensor_id, bucket;
    CREATE VIEW sensor_feature_1h AS
    SELECT sensor_id, date_trunc('hour', window_start) AS bucket,
      count(*) AS windows, count(diagnosis) AS diagnosed,
      avg(acceleration_rms_g) AS acceleration_rms_g, max(acceleration_peak_g) AS acceleration_peak_g,
      avg(velocity_rms_mm_s) AS velocity_rms_mm_s, max(velocity_rms_mm_s) AS velocity_rms_max_mm_s,
      max(kurtosis) AS kurtosis_max, max(anomaly_score) AS anomaly_score_max
    FROM sensor_feature GROUP BY sensor_id, bucket;
  END IF;
END
$$;
