// One diagnosis per window, when the evidence is clear; otherwise none. The checks run in
// order of precedence: a window that is not a valid measurement says nothing about the
// machine; a bearing defect's envelope lines are specific to it, whereas rotor patterns are
// read from the same low-frequency lines several faults share.
import type { SensorFaultKind } from './signal-quality.js';

export type DiagnosisKind =
  | 'bearing_outer_race'
  | 'bearing_inner_race'
  | 'bearing_ball'
  | 'imbalance'
  | 'misalignment'
  | 'looseness'
  | 'sensor_fault';

export const DIAGNOSIS_KINDS: readonly DiagnosisKind[] = [
  'bearing_outer_race',
  'bearing_inner_race',
  'bearing_ball',
  'imbalance',
  'misalignment',
  'looseness',
  'sensor_fault',
];

export interface Diagnosis {
  readonly kind: DiagnosisKind;
  /** One line for people: the numbers that decided it and the rule they met. */
  readonly evidence: string;
}

const SENSOR_FAULT_EVIDENCE: Readonly<Record<SensorFaultKind, string>> = {
  'flat-line': 'flat line: the RMS is below what any live accelerometer reads',
  clipping: 'clipping: samples pile up on the extreme value (the converter’s full scale)',
  dropout: 'dropout: a run of identical or non-finite samples inside a live signal',
};

export function sensorFaultDiagnosis(fault: SensorFaultKind | null): Diagnosis | null {
  return fault === null ? null : { kind: 'sensor_fault', evidence: SENSOR_FAULT_EVIDENCE[fault] };
}

/** The first diagnosis in order of precedence: sensor, then bearing, then rotor. */
export function firstDiagnosis(
  sensor: Diagnosis | null,
  bearing: () => Diagnosis | null,
  rotor: () => Diagnosis | null,
): Diagnosis | null {
  return sensor ?? bearing() ?? rotor();
}
