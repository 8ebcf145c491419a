// Many simulated sensors in one process, each with its own MQTT connection. They power on
// spread over one batch interval, as real devices never boot in the same millisecond: their
// batches then arrive spread over each interval, not as one burst a second. They connect at
// most `connectConcurrency` at a time. Real devices wait for nobody; the limit only keeps one
// process from opening thousands of sockets at once. At 50 it was the fleet's bottleneck
// (1,000 connections took 16-23 s while the broker took 1,000 alone in under 3 s); at 500 the
// whole fleet is up in about 6 s (bench `fleet`).
import { devicePassword } from '../../internal/auth/index.js';
import { concurrencyLimit } from '../../internal/simulation/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import { SimulatedSensor, type SensorOptions, type SensorSpec } from './device.js';

/** Connections opened at once by default (the measurements above). */
const DEFAULT_CONNECT_CONCURRENCY = 500;

export interface FleetOptions extends Omit<
  SensorOptions,
  'spec' | 'password' | 'connectGate' | 'logger'
> {
  specs: readonly SensorSpec[];
  /** Every sensor's broker password derives from it (internal/auth). */
  deviceSecret: string;
  logger: Logger;
  connectConcurrency?: number;
}

export interface StopOptions {
  /** How long to wait for outboxes and in-flight publishes to be confirmed. */
  timeoutMs?: number;
  /** Aborting gives up waiting at once (a second Ctrl-C). */
  signal?: AbortSignal;
}

export class Fleet {
  readonly sensors: readonly SimulatedSensor[];
  private readonly logger: Logger;
  private readonly bootSpacingMs: number;
  private readonly bootTimers: NodeJS.Timeout[] = [];

  constructor(options: FleetOptions) {
    const {
      specs,
      deviceSecret,
      logger,
      connectConcurrency = DEFAULT_CONNECT_CONCURRENCY,
      ...common
    } = options;
    this.logger = logger;
    this.bootSpacingMs = common.batchIntervalMs / Math.max(1, specs.length);
    const connectGate = concurrencyLimit(connectConcurrency);
    this.sensors = specs.map(
      (spec) =>
        new SimulatedSensor({
          ...common,
          spec,
          logger,
          connectGate,
          password: devicePassword(deviceSecret, spec.serial),
        }),
    );
  }

  start(): void {
    this.sensors.forEach((sensor, i) => {
      if (i === 0) sensor.start();
      else this.bootTimers.push(setTimeout(() => sensor.start(), i * this.bootSpacingMs));
    });
    this.logger.info(
      { sensors: this.sensors.length, bootSpacingMs: this.bootSpacingMs },
      'sensors powering on',
    );
  }

  /** Connected sensors (for /readyz and the progress log). */
  connectedCount(): number {
    return this.sensors.filter((s) => s.connected).length;
  }

  allConnected(): boolean {
    return this.connectedCount() === this.sensors.length;
  }

  /**
   * Stops measuring, waits (bounded) until everything measured has been confirmed, and
   * disconnects. Resolves whether or not the wait ran out; `drained` says which.
   */
  async stop(options: StopOptions = {}): Promise<{ drained: boolean }> {
    const { timeoutMs = 20_000, signal } = options;
    for (const timer of this.bootTimers.splice(0)) clearTimeout(timer);
    for (const sensor of this.sensors) sensor.stopMeasuring();
    const pending = () => this.sensors.reduce((sum, s) => sum + s.pending, 0);
    this.logger.info(
      { pending: pending(), timeoutMs },
      'stopping: waiting for the outboxes to drain',
    );
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const drained = await Promise.race([
      Promise.all(this.sensors.map((s) => s.drained())).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(resolve, timeoutMs, false);
        onAbort = () => resolve(false);
        if (signal?.aborted) onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if (!drained) {
      this.logger.warn(
        { pending: pending() },
        'gave up waiting for confirms; disconnecting anyway',
      );
    }
    await Promise.all(this.sensors.filter((s) => s.started).map((s) => s.close()));
    this.logger.info({ drained }, 'sensors disconnected');
    return { drained };
  }
}
