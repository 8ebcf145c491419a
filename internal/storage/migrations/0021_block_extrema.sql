-- Why this file exists: the Vibration dashboard draws the raw waveform as the lowest and
-- highest sample per pixel, so a spike survives any zoom. Reading every sample stops scaling
-- past a few hundred thousand of them (a day of a 1 kHz sensor is 86 million); each block's
-- own extrema let a range of any length be drawn from two numbers a block, and the lowest and
-- highest of a bucket's blocks are exactly its lowest and highest sample.
--
-- The ingester writes them with the block (internal/storage/block-copy.ts). Blocks stored
-- before this migration have none; readers compute theirs from the samples, and raw-data
-- retention (7 days) removes them.
ALTER TABLE sensor_measurement
  ADD COLUMN sample_min real,
  ADD COLUMN sample_max real;
