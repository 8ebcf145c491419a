// What commands change on a running sensor: whether it measures (awake) or not (asleep), and at
// which rate. Asleep, the accelerometer is off but the rest of the node runs on (heartbeats, GPS,
// the broker link), so the platform can still see it and wake it.
import { isoTime } from './command-decision.js';
import type { CommandEffects } from './command-handler.js';
import type { PowerState } from './firmware.js';
import type { Sampler } from './sampler.js';

export class OperatingMode implements CommandEffects {
  private power: PowerState = 'awake';

  constructor(
    private readonly sampler: Sampler,
    private readonly now: () => number,
  ) {}

  get state(): PowerState {
    return this.power;
  }

  /** The rate the sensor is set to: in effect, or from the next batch boundary or wake-up. */
  get sampleRateHz(): number {
    return this.sampler.sampleRateHz;
  }

  sleep(): string {
    if (this.power === 'asleep') return 'already asleep';
    this.power = 'asleep';
    this.sampler.stop();
    return 'measuring stopped; batches complete by now were kept';
  }

  /** New batches count from the wake-up: the sensor does not make up the time it slept. */
  awake(): string {
    if (this.power === 'awake') return 'already awake';
    this.power = 'awake';
    const atMs = this.now();
    this.sampler.start(atMs);
    return `measuring at ${this.sampler.sampleRateHz} Hz from ${isoTime(atMs)}`;
  }

  setSampleRate(hz: number): string {
    const boundaryUs = this.sampler.setSampleRate(hz);
    if (boundaryUs === undefined) return `${hz} Hz from the next wake-up`;
    return `${hz} Hz from ${isoTime(boundaryUs / 1000)}, the next batch boundary`;
  }
}
