// What the firmware makes of one command, before touching anything: too late, impossible, or
// to be applied. Pure, so every rule is tested without a broker or a clock.
import type { Command, CommandAction } from '../../internal/routing/index.js';
import {
  MAX_BATCH_SAMPLES,
  MAX_SAMPLE_FREQUENCY_HZ,
  MIN_SAMPLE_FREQUENCY_HZ,
} from '../../internal/validation/index.js';

export type Decision =
  | { readonly outcome: 'apply'; readonly action: CommandAction }
  | { readonly outcome: 'rejected' | 'expired'; readonly reason: string };

export interface DecisionContext {
  readonly nowMs: number;
  readonly batchIntervalMs: number;
  /** False once the sensor is powering off: it cannot promise to carry anything out. */
  readonly accepting: boolean;
}

/** How far from a whole number of samples a batch may be and still count as whole (float error). */
const WHOLE_SAMPLES_TOLERANCE = 1e-9;

export function decide(command: Command, context: DecisionContext): Decision {
  if (command.expiresAtMs < context.nowMs) {
    return {
      outcome: 'expired',
      reason: `expired at ${isoTime(command.expiresAtMs)} before the device received it`,
    };
  }
  if (!context.accepting) return { outcome: 'rejected', reason: 'the sensor is powering off' };
  const { action } = command;
  if (action.type === 'set_sample_frequency') {
    const problem = sampleRateProblem(action.hz, context.batchIntervalMs);
    if (problem) return { outcome: 'rejected', reason: problem };
  }
  return { outcome: 'apply', action };
}

/**
 * Why the accelerometer cannot run at `hz`, or undefined if it can. Real front ends have
 * discrete output data rates, and every batch must hold a whole number of samples so that
 * consecutive batches meet exactly.
 */
export function sampleRateProblem(hz: number, batchIntervalMs: number): string | undefined {
  if (!Number.isFinite(hz)) return `${hz} Hz is not a sample rate`;
  if (hz < MIN_SAMPLE_FREQUENCY_HZ || hz > MAX_SAMPLE_FREQUENCY_HZ) {
    return `${hz} Hz is outside ${MIN_SAMPLE_FREQUENCY_HZ}-${MAX_SAMPLE_FREQUENCY_HZ} Hz`;
  }
  const samples = (hz * batchIntervalMs) / 1000;
  if (Math.abs(samples - Math.round(samples)) > WHOLE_SAMPLES_TOLERANCE) {
    return (
      `${hz} Hz is not an output data rate of this sensor: a ${batchIntervalMs} ms batch ` +
      `would hold ${Number(samples.toPrecision(12))} samples, not a whole number`
    );
  }
  if (Math.round(samples) > MAX_BATCH_SAMPLES) {
    return `${hz} Hz makes ${batchIntervalMs} ms batches of more than ${MAX_BATCH_SAMPLES} samples`;
  }
  return undefined;
}

/** A command's action as the firmware log names it. */
export function describeAction(action: CommandAction): string {
  return action.type === 'set_sample_frequency'
    ? `set_sample_frequency ${action.hz} Hz`
    : action.type;
}

/** An ISO time, or the raw number when it is not a valid date (a garbled expiry). */
export function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
