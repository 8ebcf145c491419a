// Errors of internal/vibration. Each has a stable `code` so that callers (the analytics
// service, the simulator, the API) branch on the code, never on the message.

export type VibrationErrorCode =
  'INVALID_WINDOW' | 'INVALID_MACHINE' | 'INVALID_BASELINE' | 'BASELINE_RATE_MISMATCH';

export class VibrationError extends Error {
  override readonly name: string = 'VibrationError';
  readonly code: VibrationErrorCode;

  constructor(code: VibrationErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The samples or the sample rate cannot be analysed (too short, rate not a positive number). */
export class InvalidWindowError extends VibrationError {
  override readonly name = 'InvalidWindowError';

  constructor(problem: string) {
    super('INVALID_WINDOW', `window: ${problem}`);
  }
}

/** A machine parameter is physically impossible (a ball larger than the pitch circle, rpm ≤ 0). */
export class InvalidMachineError extends VibrationError {
  override readonly name = 'InvalidMachineError';

  constructor(
    readonly field: string,
    problem: string,
  ) {
    super('INVALID_MACHINE', `machine.${field}: ${problem}`);
  }
}

/** A stored baseline does not have the shape this version writes (corrupt or foreign JSON). */
export class InvalidBaselineError extends VibrationError {
  override readonly name = 'InvalidBaselineError';

  constructor(problem: string, options?: ErrorOptions) {
    super('INVALID_BASELINE', `baseline: ${problem}`, options);
  }
}

/**
 * The baseline was learned at another sample rate: its band energies and spectra are not
 * comparable. Reset it (the sensor's rate was changed, e.g. by `iotctl set-frequency`).
 */
export class BaselineRateMismatchError extends VibrationError {
  override readonly name = 'BaselineRateMismatchError';

  constructor(
    readonly baselineRateHz: number,
    readonly windowRateHz: number,
  ) {
    super(
      'BASELINE_RATE_MISMATCH',
      `baseline learned at ${baselineRateHz} Hz cannot learn or score a window at ${windowRateHz} Hz; reset it`,
    );
  }
}
