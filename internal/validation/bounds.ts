// The limits every entry point enforces, in one place, with the reason for each number.

/** Serial numbers: 1–32 of A-Z a-z 0-9 and '-', at least one letter (docs/DESIGN.md). */
export const SERIAL_PATTERN = /^(?=.*[A-Za-z])[A-Za-z0-9-]{1,32}$/;

/**
 * Sample frequency, Hz. 1 Hz is the slowest rate that still says anything about vibration;
 * 25,600 Hz is the top output data rate of the industrial MEMS and IEPE accelerometers we
 * target (the common 25.6 kHz setting of vibration front-ends), so anything above it is a bug.
 */
export const MIN_SAMPLE_FREQUENCY_HZ = 1;
export const MAX_SAMPLE_FREQUENCY_HZ = 25_600;

/**
 * Samples in one measurement batch. A batch is normally one second of data, so the cap is two
 * seconds at the top frequency; it bounds the memory one message can cost an ingester.
 */
export const MAX_BATCH_SAMPLES = 2 * MAX_SAMPLE_FREQUENCY_HZ;

/**
 * How long one batch may last. Devices send a batch a second; ten minutes leaves room for
 * slow sensors while bounding how far back a range read must look for a block that reaches
 * into its range (sensor_samples in migration 0013 uses the same ten minutes).
 */
export const MAX_BATCH_DURATION_MS = 10 * 60 * 1000;

/** Bytes of one message on the wire: a full batch (4 bytes a sample) plus headroom. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** A device clock may run ahead a little; a batch from further in the future is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Nothing the platform stores predates 2001-01-01; an older time is an unset device clock. */
export const MIN_TIMESTAMP_MS = Date.UTC(2001, 0, 1);

/** Log lines: bounded so one chatty device cannot fill a disk by itself. */
export const MAX_LOG_MESSAGE_CHARS = 4096;
export const MAX_LOG_FIELDS = 32;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
