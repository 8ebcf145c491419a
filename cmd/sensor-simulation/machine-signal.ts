// A simulated sensor on a machine with known parameters: internal/vibration's synthetic
// machine (running-speed lines, bearing impacts ringing a resonance, sensor noise), generated
// batch by batch so consecutive batches join exactly, with an optional fault that starts
// some seconds after the sensor does. The analytics service, told the same rpm and bearing
// through the sensor's target, should find the fault.
import {
  synthesizeMachineSignal,
  type BearingGeometry,
  type SyntheticFaultKind,
  type SyntheticMachine,
} from '../../internal/vibration/index.js';
import type { ReplaySegment } from './replay-signal.js';
import { seedFrom } from './seeded-random.js';
import { DEFAULT_NOISE_G, type SignalSource } from './signal.js';

export const FAULT_KINDS: readonly SyntheticFaultKind[] = [
  'imbalance',
  'misalignment',
  'bearing-outer',
  'bearing-inner',
  'looseness',
  'dead',
];

export interface FaultSpec {
  readonly kind: SyntheticFaultKind;
  /** Seconds after the sensor starts measuring; 0 from the start. */
  readonly onsetS: number;
  /** 0 healthy, 1 a developed fault (internal/vibration's scale). */
  readonly severity: number;
}

/** The machine a simulated sensor sits on (`--rpm`, `--bearing`, `--fault`). */
export interface MachineSpec {
  readonly rpm?: number;
  readonly bearing?: BearingGeometry;
  readonly fault?: FaultSpec;
  /** Recordings played instead of a synthetic signal (`--replay`); excludes the three above. */
  readonly replay?: readonly ReplaySegment[];
}

export class MachineSignal implements SignalSource {
  private rateHz: number;
  /** Seconds of signal before the current rate took over, and samples since then. */
  private elapsedBeforeS = 0;
  private samplesAtRate = 0;
  /** Sample index, at the current rate, that corresponds to the rate's first sample. */
  private indexOffset = 0;
  private readonly seed: number;

  constructor(
    private readonly machine: MachineSpec & { readonly rpm: number },
    serial: string,
    sampleRateHz: number,
    private readonly noiseG = DEFAULT_NOISE_G,
  ) {
    this.seed = seedFrom(serial);
    this.rateHz = sampleRateHz;
  }

  /** Time runs on across a rate change: the new rate's samples continue the same machine. */
  retune(sampleRateHz: number): void {
    this.elapsedBeforeS += this.samplesAtRate / this.rateHz;
    this.samplesAtRate = 0;
    this.rateHz = sampleRateHz;
    this.indexOffset = Math.round(this.elapsedBeforeS * sampleRateHz);
  }

  next(count: number): Float32Array {
    const out = new Float32Array(count);
    const fault = this.machine.fault;
    // Samples of this batch before the onset are healthy, the rest faulty.
    const onsetSample =
      fault === undefined
        ? count
        : Math.ceil((fault.onsetS - this.elapsedBeforeS) * this.rateHz) - this.samplesAtRate;
    const healthy = Math.min(count, Math.max(0, onsetSample));
    const start = this.indexOffset + this.samplesAtRate;
    const base: SyntheticMachine = {
      rateHz: this.rateHz,
      rpm: this.machine.rpm,
      ...(this.machine.bearing && { bearing: this.machine.bearing }),
      noiseG: this.noiseG,
      seed: this.seed,
    };
    if (healthy > 0) out.set(synthesizeMachineSignal(base, start, healthy));
    if (fault !== undefined && healthy < count) {
      const faulty = { ...base, fault: { kind: fault.kind, severity: fault.severity } };
      out.set(synthesizeMachineSignal(faulty, start + healthy, count - healthy), healthy);
    }
    this.samplesAtRate += count;
    return out;
  }
}
