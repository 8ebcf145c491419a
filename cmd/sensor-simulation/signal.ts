// What the accelerometer measures: a(t) = Σ Aᵢ sin(2π fᵢ t + φᵢ) + gaussian noise, in g.
// The default component set is a rotating machine (a fan on a 4-pole motor at ~1770 rpm):
// the running speed and its harmonics, a bearing defect, the blade pass and the motor's
// electrical line. Phases and noise are drawn from a generator seeded by the serial.
import { SeededRandom, seedFrom } from './seeded-random.js';

export interface SignalComponent {
  /** What causes it, for people reading a spectrum. */
  readonly name: string;
  readonly frequencyHz: number;
  /** Peak amplitude in g. */
  readonly amplitudeG: number;
}

/** Running speed of the default machine: 1770 rpm. */
export const RUNNING_SPEED_HZ = 29.5;

export const ROTATING_MACHINE: readonly SignalComponent[] = [
  { name: '1x running speed (unbalance)', frequencyHz: RUNNING_SPEED_HZ, amplitudeG: 0.5 },
  { name: '2x running speed (misalignment)', frequencyHz: 2 * RUNNING_SPEED_HZ, amplitudeG: 0.2 },
  { name: '3x running speed (looseness)', frequencyHz: 3 * RUNNING_SPEED_HZ, amplitudeG: 0.08 },
  { name: 'electrical, 2x line frequency', frequencyHz: 100, amplitudeG: 0.04 },
  {
    name: 'bearing outer race defect (BPFO)',
    frequencyHz: 3.58 * RUNNING_SPEED_HZ,
    amplitudeG: 0.06,
  },
  {
    name: 'bearing inner race defect (BPFI)',
    frequencyHz: 5.42 * RUNNING_SPEED_HZ,
    amplitudeG: 0.03,
  },
  { name: 'blade pass (7 blades)', frequencyHz: 7 * RUNNING_SPEED_HZ, amplitudeG: 0.12 },
];

/** Standard deviation of the sensor's broadband noise, in g. */
export const DEFAULT_NOISE_G = 0.02;

/**
 * The front end's anti-alias filter passes up to this fraction of the sample rate; components
 * above it are not in the measured signal (a 3 Hz sensor sees only noise of a 29.5 Hz machine).
 */
export const ANTI_ALIAS_PASSBAND = 0.45;

export interface SignalOptions {
  /** Seeds the phases and the noise: the serial, so a run is reproducible. */
  seed: string;
  sampleRateHz: number;
  components?: readonly SignalComponent[];
  noiseG?: number;
}

/** Produces a sensor's samples in order: sample i is a(i / sampleRateHz) after the start. */
type PhasedComponent = SignalComponent & { readonly phaseRad: number };

export class VibrationSignal {
  /** The components the front end passes at the current sample rate. */
  components: readonly PhasedComponent[];
  private readonly all: readonly PhasedComponent[];
  private readonly random: SeededRandom;
  private readonly noiseG: number;
  private sampleRateHz: number;
  /** Sample index of the current rate's first sample, in samples since the start. */
  private rateStartIndex = 0;
  /** Seconds from the start to the current rate's first sample. */
  private rateStartS = 0;
  private nextIndex = 0;

  constructor(options: SignalOptions) {
    this.random = new SeededRandom(options.seed);
    this.sampleRateHz = options.sampleRateHz;
    this.noiseG = options.noiseG ?? DEFAULT_NOISE_G;
    // Draw a phase for every component, passed or not, so a component's phase does not depend
    // on the sample rate.
    this.all = (options.components ?? ROTATING_MACHINE).map((c) => ({
      ...c,
      phaseRad: this.random.between(0, 2 * Math.PI),
    }));
    this.components = this.passed();
  }

  /** Index of the next sample `next` will return. */
  get position(): number {
    return this.nextIndex;
  }

  /**
   * Samples from now on at another rate. The machine's time runs on from where the last sample
   * was taken, so the waveform has no jump where the rate changes.
   */
  retune(sampleRateHz: number): void {
    this.rateStartS += (this.nextIndex - this.rateStartIndex) / this.sampleRateHz;
    this.rateStartIndex = this.nextIndex;
    this.sampleRateHz = sampleRateHz;
    this.components = this.passed();
  }

  private passed(): PhasedComponent[] {
    return this.all.filter((c) => c.frequencyHz < ANTI_ALIAS_PASSBAND * this.sampleRateHz);
  }

  /** The next `count` samples, in g, as the float32 values that travel. */
  next(count: number): Float32Array {
    const values = new Float32Array(count);
    for (let j = 0; j < count; j++) {
      const index = this.nextIndex + j - this.rateStartIndex;
      let a = 0;
      for (const c of this.components) {
        // Whole cycles removed before the sine: f·t grows without bound and sin() of a huge
        // argument loses precision, its fractional part does not.
        const cycles =
          c.frequencyHz * this.rateStartS + (c.frequencyHz * index) / this.sampleRateHz;
        a += c.amplitudeG * Math.sin(2 * Math.PI * (cycles - Math.floor(cycles)) + c.phaseRad);
      }
      values[j] = a + this.noiseG * this.random.gaussian();
    }
    this.nextIndex += count;
    return values;
  }
}

/** What a sampler draws its samples from. */
export interface SignalSource {
  next(count: number): Float32Array;
  retune(sampleRateHz: number): void;
}

/** How a sensor makes its samples: computed per sample, or a recording played in a loop. */
export type SignalMode = 'exact' | 'looped';

/**
 * Seconds of signal a looped source records: the default machine's running speed (29.5 Hz)
 * and the 100 Hz line both complete whole cycles in 2 s, so the loop joins them without a jump.
 */
export const LOOP_SECONDS = 2;

/**
 * A stretch of the default machine's signal, recorded once per sample rate for the whole
 * process, played in a loop from a point that depends on the serial: a copy per sample instead
 * of a sine per component and a random draw. Benchmark fleets use it so the simulator, not
 * the pipeline under test, is never what limits the rate.
 */
export class LoopedSignal implements SignalSource {
  private static readonly recordings = new Map<number, Float32Array>();
  private table: Float32Array;
  private position: number;

  constructor(
    private readonly seed: string,
    sampleRateHz: number,
  ) {
    this.table = LoopedSignal.recording(sampleRateHz);
    this.position = seedFrom(seed) % this.table.length;
  }

  private static recording(sampleRateHz: number): Float32Array {
    let table = LoopedSignal.recordings.get(sampleRateHz);
    if (!table) {
      const length = Math.max(1, Math.round(sampleRateHz * LOOP_SECONDS));
      table = new VibrationSignal({ seed: 'looped', sampleRateHz }).next(length);
      LoopedSignal.recordings.set(sampleRateHz, table);
    }
    return table;
  }

  retune(sampleRateHz: number): void {
    this.table = LoopedSignal.recording(sampleRateHz);
    this.position = seedFrom(this.seed) % this.table.length;
  }

  next(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let written = 0; written < count;) {
      const take = Math.min(count - written, this.table.length - this.position);
      out.set(this.table.subarray(this.position, this.position + take), written);
      written += take;
      this.position = (this.position + take) % this.table.length;
    }
    return out;
  }
}
