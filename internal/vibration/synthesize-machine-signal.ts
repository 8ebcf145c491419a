// Synthetic machine vibration (acceleration in g) for tests and the device simulator: lines at
// orders of running speed, bearing impacts ringing a structural resonance, white sensor
// noise. Every sample is a function of its absolute index, so a device can generate the
// signal batch by batch (startSample) and the batches join exactly; a seed fixes it all.
import { bearingDefectOrders } from './bearing-frequencies.js';
import { InvalidMachineError } from './errors.js';
import { shaftHz, validateBearing, type BearingGeometry } from './machine.js';
import { gaussianAt, STREAM, streamKey, uniformAt } from './seeded-noise.js';
import { accelerationToVelocityMmS } from './velocity.js';

export type SyntheticFaultKind =
  'imbalance' | 'misalignment' | 'bearing-outer' | 'bearing-inner' | 'looseness' | 'dead';

export interface SyntheticMachine {
  readonly rateHz: number;
  readonly rpm: number;
  /** Required for bearing faults. */
  readonly bearing?: BearingGeometry;
  /** Severity 0 (healthy) to 1 (a developed fault); larger values extrapolate. */
  readonly fault?: { readonly kind: SyntheticFaultKind; readonly severity: number };
  /** Standard deviation of white sensor noise, g. */
  readonly noiseG: number;
  readonly seed: number;
}

// Rotor lines, as velocity RMS in mm/s (the unit of the severity zones), per unit severity.
/** A healthy, balanced and aligned rotor: 0.5 mm/s at 1×, 0.2 at 2×, zone A for every class. */
const HEALTHY_ORDERS_MM_S: readonly (readonly [number, number])[] = [
  [1, 0.5],
  [2, 0.2],
];
/** Imbalance adds 1× (a rotating force at shaft speed): 10 mm/s is zone D for classes I–II. */
const IMBALANCE_ORDERS_MM_S: readonly (readonly [number, number])[] = [[1, 10]];
/** Misalignment: 2× above 1× with 3× present (the coupling's twice-per-turn reaction). */
const MISALIGNMENT_ORDERS_MM_S: readonly (readonly [number, number])[] = [
  [1, 2],
  [2, 8],
  [3, 3],
];
/** Looseness: a comb of 1×–10× falling as 1/√order, and half orders 0.5×–4.5× at half that. */
const LOOSENESS_1X_MM_S = 4;
const LOOSENESS_HIGHEST_ORDER = 10;
const LOOSENESS_HALF_ORDER_RATIO = 0.5;
const LOOSENESS_HIGHEST_HALF_ORDER = 4.5;

// Bearing impacts.
/** Peak acceleration of one impact's ringing at severity 1: CWRU's 0.18 mm pits ring at ~1–3 g. */
const IMPACT_PEAK_G = 2;
/** The resonance the impacts ring: ~3 kHz (bearing housings), or 0.3·rate where that is lower. */
const RESONANCE_HZ = 3000;
const RESONANCE_RATE_FRACTION = 0.3;
/** Damping ratio of the resonance: 5 %, typical of bolted machine structures. */
const RESONANCE_DAMPING = 0.05;
/** Ringing is summed for 8 time constants (e^−8 ≈ 3·10⁻⁴ of the start, below any noise floor). */
const RINGING_TIME_CONSTANTS = 8;
/** Impact times wander by up to ±1 % of the period: rolling elements slip (Randall & Antoni). */
const SLIP_JITTER = 0.01;
/** Impact strength varies ±25 % with each element's load and the defect's exact position. */
const IMPACT_STRENGTH_SPREAD = 0.25;

interface Line {
  readonly hz: number;
  readonly amplitudeG: number;
  readonly phase: number;
}

/** Acceleration peak amplitude (g) of a velocity RMS (mm/s) at `hz`. */
function velocityLineToG(velocityRmsMmS: number, hz: number): number {
  return (velocityRmsMmS * Math.SQRT2) / accelerationToVelocityMmS(1, hz);
}

function orderLines(machine: SyntheticMachine): Line[] {
  const fr = shaftHz(machine.rpm);
  const severity = machine.fault?.severity ?? 0;
  const orders = new Map<number, number>(HEALTHY_ORDERS_MM_S);
  const add = (order: number, mmS: number): void => {
    orders.set(order, (orders.get(order) ?? 0) + severity * mmS);
  };
  const kind = machine.fault?.kind;
  if (kind === 'imbalance') for (const [o, v] of IMBALANCE_ORDERS_MM_S) add(o, v);
  if (kind === 'misalignment') for (const [o, v] of MISALIGNMENT_ORDERS_MM_S) add(o, v);
  if (kind === 'looseness') {
    for (let o = 1; o <= LOOSENESS_HIGHEST_ORDER; o++) add(o, LOOSENESS_1X_MM_S / Math.sqrt(o));
    for (let o = 0.5; o <= LOOSENESS_HIGHEST_HALF_ORDER; o++) {
      add(o, (LOOSENESS_HALF_ORDER_RATIO * LOOSENESS_1X_MM_S) / Math.sqrt(o));
    }
  }
  const phaseKey = streamKey(machine.seed, STREAM.phase);
  const nyquist = machine.rateHz / 2;
  return [...orders]
    .filter(([order]) => order * fr < nyquist)
    .map(([order, mmS]) => ({
      hz: order * fr,
      amplitudeG: velocityLineToG(mmS, order * fr),
      phase: 2 * Math.PI * uniformAt(phaseKey, Math.round(order * 2)),
    }));
}

function validate(machine: SyntheticMachine, startSample: number, count: number): void {
  const positive = (field: string, x: number): void => {
    if (!Number.isFinite(x) || x <= 0)
      throw new InvalidMachineError(field, `must be positive, got ${x}`);
  };
  positive('rateHz', machine.rateHz);
  positive('rpm', machine.rpm);
  if (!Number.isFinite(machine.noiseG) || machine.noiseG < 0) {
    throw new InvalidMachineError('noiseG', `must be ≥ 0, got ${machine.noiseG}`);
  }
  const severity = machine.fault?.severity ?? 0;
  if (!Number.isFinite(severity) || severity < 0) {
    throw new InvalidMachineError('fault.severity', `must be ≥ 0, got ${severity}`);
  }
  if (!Number.isSafeInteger(startSample) || !Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(
      `startSample and count must be integers, count ≥ 0 (${startSample}, ${count})`,
    );
  }
}

/** `count` samples of the machine's acceleration in g, starting at absolute sample `startSample`. */
export function synthesizeMachineSignal(
  machine: SyntheticMachine,
  startSample: number,
  count: number,
): Float32Array {
  validate(machine, startSample, count);
  const out = new Float32Array(count);
  const kind = machine.fault?.kind;
  if (kind === 'dead') return out;

  const rate = machine.rateHz;
  const lines = orderLines(machine);
  for (const line of lines) {
    const w = (2 * Math.PI * line.hz) / rate;
    for (let i = 0; i < count; i++)
      out[i] = (out[i] ?? 0) + line.amplitudeG * Math.sin(w * (startSample + i) + line.phase);
  }
  if (kind === 'bearing-outer' || kind === 'bearing-inner') addImpacts(out, machine, startSample);
  if (machine.noiseG > 0) {
    const key = streamKey(machine.seed, STREAM.noise);
    for (let i = 0; i < count; i++)
      out[i] = (out[i] ?? 0) + machine.noiseG * gaussianAt(key, startSample + i);
  }
  return out;
}

/** Outer race: impacts at BPFO. Inner race: at BPFI, strength modulated once per turn. */
function addImpacts(out: Float32Array, machine: SyntheticMachine, startSample: number): void {
  const bearing = machine.bearing;
  if (bearing === undefined)
    throw new InvalidMachineError('bearing', 'a bearing fault needs the bearing geometry');
  validateBearing(bearing);
  const fr = shaftHz(machine.rpm);
  const orders = bearingDefectOrders(bearing);
  const inner = machine.fault?.kind === 'bearing-inner';
  const period = 1 / ((inner ? orders.bpfi : orders.bpfo) * fr);
  const resonanceHz = Math.min(RESONANCE_HZ, RESONANCE_RATE_FRACTION * machine.rateHz);
  const tau = 1 / (2 * Math.PI * RESONANCE_DAMPING * resonanceHz);
  const span = RINGING_TIME_CONSTANTS * tau;
  const peak = IMPACT_PEAK_G * (machine.fault?.severity ?? 0);
  const jitterKey = streamKey(machine.seed, STREAM.jitter);
  const strengthKey = streamKey(machine.seed, STREAM.strength);
  const loadPhase = 2 * Math.PI * uniformAt(streamKey(machine.seed, STREAM.phase), -1);
  const impactTime = (k: number): number =>
    (k + SLIP_JITTER * (2 * uniformAt(jitterKey, k) - 1)) * period;

  for (let i = 0; i < out.length; i++) {
    const t = (startSample + i) / machine.rateHz;
    let value = 0;
    // Every impact that started within `span` before t (jitter can move one across t).
    for (let k = Math.floor(t / period) + 1; ; k--) {
      const tk = impactTime(k);
      const dt = t - tk;
      if (dt > span + 2 * SLIP_JITTER * period) break;
      if (dt < 0 || dt > span) continue;
      let strength = peak * (1 + IMPACT_STRENGTH_SPREAD * (2 * uniformAt(strengthKey, k) - 1));
      // The defect turns with the shaft through the load zone: strongest once per turn.
      if (inner) strength *= 0.5 * (1 + Math.cos(2 * Math.PI * fr * tk + loadPhase));
      value += strength * Math.exp(-dt / tau) * Math.sin(2 * Math.PI * resonanceHz * dt);
    }
    out[i] = (out[i] ?? 0) + value;
  }
}
