// `--replay FILE[@SECONDS][,FILE[@SECONDS]…]`: recorded waveforms played as a sensor's
// signal. Each recording plays in a loop for its SECONDS, then the next one takes over from its
// first sample; the last one loops until the sensor stops. Sample after sample, across batches:
// a batch continues exactly where the one before it ended.
import type { Recording } from './recording.js';
import type { SignalSource } from './signal.js';

/** One entry of a `--replay` list: the file and how long it plays (undefined: until stopped). */
export interface ReplaySegment {
  readonly file: string;
  readonly seconds: number | undefined;
  /** The file's samples, once main has read it (cli.ts only parses names). */
  readonly recording?: Recording;
}

export class ReplaySignal implements SignalSource {
  private readonly tracks: readonly { samples: Float32Array; seconds: number | undefined }[];
  private rateHz: number;
  private segment = 0;
  /** Position inside the current recording (its loop). */
  private position = 0;
  /** Seconds the current segment played at earlier rates, and samples at the current one. */
  private playedBeforeS = 0;
  private playedAtRate = 0;

  constructor(segments: readonly ReplaySegment[], sampleRateHz: number) {
    if (segments.length === 0) throw new Error('a replay needs at least one recording');
    this.tracks = segments.map((s) => {
      if (s.recording === undefined) throw new Error(`replay recording ${s.file} was not loaded`);
      return { samples: s.recording.samples, seconds: s.seconds };
    });
    this.rateHz = sampleRateHz;
  }

  /**
   * A new rate stamps the samples that follow: the recording plays on sample by sample (it is
   * not resampled) and SECONDS count at the new rate from here.
   */
  retune(sampleRateHz: number): void {
    this.playedBeforeS += this.playedAtRate / this.rateHz;
    this.playedAtRate = 0;
    this.rateHz = sampleRateHz;
  }

  next(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let written = 0; written < count;) {
      const track = this.tracks[this.segment];
      if (track === undefined) throw new Error('replay ran past its last recording');
      // Samples left in this segment before the next one takes over (Infinity for the last).
      const left =
        track.seconds === undefined || this.segment === this.tracks.length - 1
          ? Infinity
          : Math.round((track.seconds - this.playedBeforeS) * this.rateHz) - this.playedAtRate;
      if (left <= 0) {
        this.segment++;
        this.position = 0;
        this.playedBeforeS = 0;
        this.playedAtRate = 0;
        continue;
      }
      const take = Math.min(count - written, track.samples.length - this.position, left);
      out.set(track.samples.subarray(this.position, this.position + take), written);
      written += take;
      this.playedAtRate += take;
      this.position = (this.position + take) % track.samples.length;
    }
    return out;
  }
}
