// The measuring loop of one sensor: one timer per sensor (never one per sample) set for the
// moment the next batch is complete, recomputed from the wall clock each time so delays never
// accumulate. A late timer (a busy event loop) emits every batch that has come due since, so
// no sample is ever skipped.
import { BatchClock, firstSequence } from './batch-clock.js';
import { VibrationSignal, type SignalComponent } from './signal.js';

export interface MeasuredBatch {
  readonly sequence: number;
  /** k: the batch's index in this boot. */
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
  onBatch: (batch: MeasuredBatch) => void;
  now?: () => number;
}

export class Sampler {
  readonly clock: BatchClock;
  readonly sequenceBase: number;
  private readonly signal: VibrationSignal;
  private readonly now: () => number;
  private nextK = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: SamplerOptions) {
    this.now = options.now ?? Date.now;
    this.clock = new BatchClock({
      startUs: Math.trunc(options.startMs ?? options.bootMs) * 1000,
      sampleRateHz: options.sampleRateHz,
      intervalMs: options.batchIntervalMs,
    });
    this.sequenceBase = firstSequence(options.bootMs);
    this.signal = new VibrationSignal({
      seed: options.serial,
      sampleRateHz: options.sampleRateHz,
      components: options.components,
      noiseG: options.noiseG,
    });
  }

  /** Batches emitted so far. */
  get batchesEmitted(): number {
    return this.nextK;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Emits every batch complete by now, then stops: the partial batch is not measured. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.emitDue();
  }

  private schedule(): void {
    if (!this.running) return;
    const delay = Math.max(0, this.clock.batchDueMs(this.nextK) - this.now());
    this.timer = setTimeout(() => {
      this.emitDue();
      this.schedule();
    }, delay);
  }

  private emitDue(): void {
    const due = this.clock.dueCount(this.nextK, this.now());
    for (let i = 0; i < due; i++) {
      const k = this.nextK++;
      this.options.onBatch({
        sequence: this.sequenceBase + k,
        index: k,
        startTimeUs: this.clock.batchStartUs(k),
        sampleRateHz: this.options.sampleRateHz,
        values: this.signal.next(this.clock.samplesPerBatch),
      });
    }
  }
}
