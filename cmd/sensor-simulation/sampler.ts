// The measuring loop of one sensor: one timer per sensor (never one per sample) set for the
// moment the next batch is complete, recomputed from the wall clock each time so delays never
// accumulate. A late timer (a busy event loop) emits every batch that has come due since, so
// no sample is ever skipped.
//
// Measuring runs in stretches at one rate, each with its own BatchClock: from power-on or a
// wake-up, and from the batch boundary where a new sample rate took over. Sequence numbers run
// on across stretches (the platform tells redeliveries by them, so one never comes twice in a
// boot).
import { BatchClock, firstSequence } from './batch-clock.js';
import { MachineSignal, type MachineSpec } from './machine-signal.js';
import { ReplaySignal } from './replay-signal.js';
import {
  LoopedSignal,
  VibrationSignal,
  type SignalComponent,
  type SignalMode,
  type SignalSource,
} from './signal.js';

export interface MeasuredBatch {
  readonly sequence: number;
  /** The batch's index in this boot, across sleeps and rate changes. */
  readonly index: number;
  readonly startTimeUs: number;
  readonly sampleRateHz: number;
  readonly values: Float32Array;
}

export interface SamplerOptions {
  serial: string;
  sampleRateHz: number;
  batchIntervalMs: number;
  /** Boot time: seeds the sequence numbers; sampling starts here too unless `startMs` says. */
  bootMs: number;
  startMs?: number;
  components?: readonly SignalComponent[];
  noiseG?: number;
  /** 'looped' plays a recording instead of computing each sample (benchmarks); default exact. */
  signal?: SignalMode;
  /** A machine with a running speed (and bearing, fault): its synthetic signal, not the default. */
  machine?: MachineSpec;
  onBatch: (batch: MeasuredBatch) => void;
  now?: () => number;
}

/** A stretch of measuring at one rate: its clock counts batches from `firstIndex`. */
interface Stretch {
  readonly clock: BatchClock;
  readonly firstIndex: number;
}

export class Sampler {
  readonly sequenceBase: number;
  private readonly signal: SignalSource;
  private readonly now: () => number;
  /** The rate asked for last: the current stretch's, the next one's, or the one after waking. */
  private rateHz: number;
  private stretch: Stretch | undefined;
  /** A rate change waiting for the batch in progress to end. */
  private nextStretch: Stretch | undefined;
  private nextIndex = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SamplerOptions) {
    this.now = options.now ?? Date.now;
    this.rateHz = options.sampleRateHz;
    this.sequenceBase = firstSequence(options.bootMs);
    const rpm = options.machine?.rpm;
    const replay = options.machine?.replay;
    this.signal =
      replay !== undefined
        ? new ReplaySignal(replay, options.sampleRateHz)
        : options.machine !== undefined && rpm !== undefined
          ? new MachineSignal(
              { ...options.machine, rpm },
              options.serial,
              options.sampleRateHz,
              options.noiseG,
            )
          : options.signal === 'looped'
            ? new LoopedSignal(options.serial, options.sampleRateHz)
            : new VibrationSignal({
                seed: options.serial,
                sampleRateHz: options.sampleRateHz,
                components: options.components,
                noiseG: options.noiseG,
              });
  }

  /** Batches emitted so far. */
  get batchesEmitted(): number {
    return this.nextIndex;
  }

  get measuring(): boolean {
    return this.stretch !== undefined;
  }

  /** The rate the sensor is set to (in effect, due at the next boundary, or after waking). */
  get sampleRateHz(): number {
    return this.rateHz;
  }

  /** Starts measuring at `atMs` (power-on by default): batches count from there. */
  start(atMs: number = this.options.startMs ?? this.options.bootMs): void {
    if (this.stretch) return;
    this.stretch = this.stretchFrom(Math.trunc(atMs) * 1000, this.nextIndex);
    this.signal.retune(this.rateHz);
    this.schedule();
  }

  /** Emits every batch complete by now, then stops: the partial batch is not measured. */
  stop(): void {
    if (!this.stretch) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.emitDue();
    this.stretch = undefined;
    this.nextStretch = undefined;
  }

  /**
   * Sets the rate. While measuring, the batch in progress completes at the old rate and the
   * next one starts where it ends; the result is that boundary (µs). While stopped, the rate
   * waits for start() and the result is undefined.
   */
  setSampleRate(hz: number): number | undefined {
    this.rateHz = hz;
    if (!this.stretch) return undefined;
    this.emitDue(); // so "the batch in progress" is the one the clock is in now
    const current = this.stretch;
    const k = this.nextIndex - current.firstIndex;
    const boundaryUs = current.clock.batchEndUs(k);
    this.nextStretch =
      hz === current.clock.sampleRateHz
        ? undefined
        : this.stretchFrom(boundaryUs, this.nextIndex + 1);
    return boundaryUs;
  }

  private stretchFrom(startUs: number, firstIndex: number): Stretch {
    const clock = new BatchClock({
      startUs,
      sampleRateHz: this.rateHz,
      intervalMs: this.options.batchIntervalMs,
    });
    return { clock, firstIndex };
  }

  private schedule(): void {
    const stretch = this.stretch;
    if (!stretch) return;
    const k = this.nextIndex - stretch.firstIndex;
    const delay = Math.max(0, stretch.clock.batchDueMs(k) - this.now());
    this.timer = setTimeout(() => {
      this.emitDue();
      this.schedule();
    }, delay);
  }

  private emitDue(): void {
    const nowUs = this.now() * 1000;
    for (;;) {
      if (this.nextStretch && this.nextIndex === this.nextStretch.firstIndex) {
        this.stretch = this.nextStretch;
        this.nextStretch = undefined;
        this.signal.retune(this.stretch.clock.sampleRateHz);
      }
      const stretch = this.stretch;
      if (!stretch) return;
      const k = this.nextIndex - stretch.firstIndex;
      if (stretch.clock.batchEndUs(k) > nowUs) return;
      const index = this.nextIndex++;
      this.options.onBatch({
        sequence: this.sequenceBase + index,
        index,
        startTimeUs: stretch.clock.batchStartUs(k),
        sampleRateHz: stretch.clock.sampleRateHz,
        values: this.signal.next(stretch.clock.samplesPerBatch),
      });
    }
  }
}
