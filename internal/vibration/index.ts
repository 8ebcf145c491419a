// internal/vibration: the signal processing of one sensor window — levels, spectra, ISO
// zones, envelope analysis, bearing and rotor diagnosis, a learned baseline and its anomaly
// score — and synthetic machine signals. Pure functions, no I/O.
export * from './analyze-window.js';
export * from './baseline.js';
export * from './bearing-frequencies.js';
export * from './errors.js';
export * from './iso-zones.js';
export * from './synthesize-machine-signal.js';
export type { AmplitudeSpectrum, SpectralPeak } from './amplitude-spectrum.js';
export type { BearingDefectLines, DefectLine, DefectSeries } from './bearing-diagnosis.js';
export type { DashboardSpectrum } from './dashboard-spectrum.js';
export { DIAGNOSIS_KINDS, type Diagnosis, type DiagnosisKind } from './diagnosis.js';
export { envelopeBand } from './envelope-spectrum.js';
export type { FeatureName, FeatureVector } from './feature-vector.js';
export type { LineStrength } from './line-strength.js';
export type { BearingGeometry, MachineParameters } from './machine.js';
export { validateMachine } from './machine.js';
export type { OrderLine } from './rotor-diagnosis.js';
export type { SensorFaultKind, SignalQuality } from './signal-quality.js';
export { velocityBand, type FrequencyBand } from './velocity.js';
export { MAX_FFT_SIZE } from './fft-plan.js';
