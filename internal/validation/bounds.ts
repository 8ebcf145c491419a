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

/**
 * A target's machine parameters (migration 0014's CHECKs, the same numbers): running speed up
 * to 100,000 rpm (small spindles and turbochargers; nothing we monitor turns faster), one
 * rolling-element bearing (1–100 balls, ball ≤ 1 m, pitch circle ≤ 10 m, contact angle
 * 0–90° exclusive; balls smaller than the pitch circle) and an ISO 10816/20816 class.
 */
export const MAX_RPM = 100_000;
export const MAX_BEARING_BALLS = 100;
export const MAX_BEARING_BALL_MM = 1000;
export const MAX_BEARING_PITCH_MM = 10_000;
/** Exclusive: at 90° a bearing is a thrust bearing and the defect formulas no longer hold. */
export const MAX_BEARING_ANGLE_DEG = 90;
export const ISO_CLASS_NAMES = [
  'group1-rigid',
  'group1-flexible',
  'group2-rigid',
  'group2-flexible',
  'I',
  'II',
  'III',
  'IV',
] as const;
/**
 * The machine controller's gRPC address, HOST:PORT: a DNS name, an IPv4 address or a
 * bracketed IPv6 one, and a port 1–65535; at most 255 characters (the column's CHECK).
 */
export const CONTROLLER_ADDRESS_PATTERN =
  /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;
export const MAX_CONTROLLER_ADDRESS_CHARS = 255;

/**
 * A device's firmware version string: a semantic version with build metadata
 * ("2.14.3+build.20261130.a1b2c3d") fits many times over in 64 characters; the column's CHECK
 * (migration 0017) says the same.
 */
export const MAX_FIRMWARE_VERSION_CHARS = 64;

/** Why a device rejected a command: a sentence for an operator, not a document. */
export const MAX_ACK_REASON_CHARS = 500;
