// One simulated accelerometer, behaving like the hardware: it powers on, logs its boot, measures
// on its own clock whatever the network does, and talks to the broker over its own MQTT
// connection (BrokerLink), announcing itself on every connect. Messages wait in two bounded
// outboxes (device events first, then measurement batches) and a Sender moves them out with a
// small window of QoS 1 publishes awaiting their PUBACK; the counters say what happened to every
// sample. Commands from the platform put it to sleep, wake it, or change its sample rate.
import {
  COMMANDS_KIND,
  commandAckCodec,
  deviceTopic,
  locationCodec,
  logLineCodec,
  measurementBatchCodec,
  registrationCodec,
  type DeviceKind,
  type Registration,
} from '../../internal/routing/index.js';
import type { Gate } from '../../internal/simulation/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import { BrokerLink } from './broker-link.js';
import { CommandHandler, type DeviceAck } from './command-handler.js';
import {
  FIRMWARE_VERSION,
  bootLog,
  droppedLine,
  heartbeatLine,
  shutdownLine,
  type FirmwareLogLine,
  type Mount,
  type PowerState,
} from './firmware.js';
import { OperatingMode } from './operating-mode.js';
import { Outbox } from './outbox.js';
import { Route, fixedPosition } from './route.js';
import { Sampler, type MeasuredBatch } from './sampler.js';
import { Sender, type OutgoingMessage } from './sender.js';
import {
  countCommand,
  countConfirmed,
  countDropped,
  countMeasured,
  countPublished,
  newCounters,
  type SensorCounters,
} from './sensor-counters.js';
import type { MachineSpec } from './machine-signal.js';
import type { SignalComponent, SignalMode } from './signal.js';

export interface SensorSpec {
  readonly serial: string;
  readonly sampleRateHz: number;
  readonly mount: Mount;
  /** The machine it measures (`--rpm`, `--bearing`, `--fault`); the default signal without. */
  readonly machine?: MachineSpec;
}

export interface SensorOptions {
  spec: SensorSpec;
  mqttUrl: string;
  /** The CA of the broker's TLS certificate, for an mqtts:// URL (IOT_TLS_CA_FILE). */
  mqttCa?: string;
  password: string;
  logger: Logger;
  batchIntervalMs: number;
  /** Measurement batches the outbox holds while the broker is unreachable. */
  bufferBatches: number;
  heartbeatMs: number;
  locationIntervalMs?: number;
  /** Log lines, fixes and the registration the event outbox holds. */
  eventBuffer?: number;
  /** QoS 1 publishes awaiting their PUBACK at once. */
  window?: number;
  /** Limits connection attempts across a fleet. */
  connectGate?: Gate;
  reconnectPeriodMs?: number;
  /**
   * mqtt.js stops reconnecting for good when a CONNACK refuses the connection (for instance a
   * broker still starting up); past this long offline the device throws the client away and
   * connects afresh. Publishes still in the old client go back to the outbox.
   */
  offlineWatchdogMs?: number;
  components?: readonly SignalComponent[];
  noiseG?: number;
  signal?: SignalMode;
  route?: Route;
  now?: () => number;
}

interface Outgoing extends OutgoingMessage<DeviceKind> {
  /** Samples in a measurement batch; 0 for everything else. */
  readonly samples: number;
}

type State = 'created' | 'running' | 'stopping' | 'stopped';

const DROP_LOG_INTERVAL_MS = 10_000;
/**
 * Log lines, fixes and the registration held while the broker is away: an hour of a mobile
 * sensor's one-a-second GPS fixes.
 */
const DEFAULT_EVENT_BUFFER = 3_600;

export class SimulatedSensor {
  readonly spec: SensorSpec;
  readonly counters: SensorCounters = newCounters();
  private state: State = 'created';
  private bootMs = 0;
  private sampler: Sampler | undefined;
  /** Set at power-on, with the command handler that changes it. */
  private mode: OperatingMode | undefined;
  private commands: CommandHandler | undefined;
  /** The registration waiting in the outbox, if any: one is enough, it reads the state late. */
  private announcement: Outgoing | undefined;
  private readonly events: Outbox<Outgoing>;
  private readonly batches: Outbox<Outgoing>;
  private readonly sender: Sender<Outgoing>;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly route: Route;
  private readonly link: BrokerLink;
  private routeOffsetS = 0;
  /** Heartbeat and location timers: they stop with measuring. */
  private readonly intervals: NodeJS.Timeout[] = [];
  private droppedSinceLog = 0;
  private lastDropLogMs = -Infinity;

  constructor(private readonly options: SensorOptions) {
    this.spec = options.spec;
    this.now = options.now ?? Date.now;
    this.logger = options.logger.child({ serial: options.spec.serial });
    this.route = options.route ?? new Route();
    this.events = new Outbox(options.eventBuffer ?? DEFAULT_EVENT_BUFFER);
    this.batches = new Outbox(options.bufferBatches);
    this.sender = new Sender<Outgoing>({
      queues: [this.events, this.batches],
      window: options.window ?? 8,
      now: this.now,
      hooks: {
        onPublished: (m) => countPublished(this.counters, m),
        onConfirmed: (m) => countConfirmed(this.counters, m),
        onFailed: (m, error) =>
          this.logger.debug({ err: error, kind: m.kind }, 'publish failed; will retry'),
        onUnsendable: (m, error) => {
          this.forget(m);
          this.logger.error({ err: error, kind: m.kind }, 'message could not be encoded; dropped');
        },
      },
    });
    this.link = new BrokerLink({
      url: options.mqttUrl,
      ca: options.mqttCa,
      serial: options.spec.serial,
      password: options.password,
      logger: this.logger,
      gate: options.connectGate,
      reconnectPeriodMs: options.reconnectPeriodMs,
      offlineWatchdogMs: options.offlineWatchdogMs,
      now: this.now,
      subscription: {
        topic: deviceTopic(options.spec.serial, COMMANDS_KIND),
        onMessage: (payload) => this.onCommand(payload),
      },
      onConnected: () => this.announce(),
      onUp: (publish) => this.sender.setPublisher(publish),
      onDiscard: () => {
        this.sender.setPublisher(undefined);
        this.sender.abandonInFlight();
      },
    });
  }

  get serial(): string {
    return this.spec.serial;
  }

  get connected(): boolean {
    return this.link.connected;
  }

  /** Measurement batches waiting in the outbox (not counting those in flight). */
  get outboxBatches(): number {
    return this.batches.size;
  }

  /** Messages not yet confirmed: queued or in flight. */
  get pending(): number {
    return this.sender.pending;
  }

  /** Whether start() was called. */
  get started(): boolean {
    return this.state !== 'created';
  }

  /** Awake (measuring) or asleep, as commands left it. */
  get powerState(): PowerState {
    return this.mode?.state ?? 'awake';
  }

  /** The rate the sensor is set to: in effect, or from the next batch boundary or wake-up. */
  get sampleRateHz(): number {
    return this.mode?.sampleRateHz ?? this.spec.sampleRateHz;
  }

  /**
   * Powers the sensor on: boot log, sampling, timers, and the broker connection (which
   * announces the sensor once connected).
   */
  start(): void {
    if (this.state !== 'created') throw new Error(`sensor ${this.serial} was already started`);
    this.state = 'running';
    this.bootMs = this.now();
    const { serial, sampleRateHz, mount } = this.spec;
    for (const line of bootLog({ sampleRateHz, mount })) this.log(line);
    this.sampler = new Sampler({
      serial,
      sampleRateHz,
      batchIntervalMs: this.options.batchIntervalMs,
      bootMs: this.bootMs,
      components: this.options.components,
      noiseG: this.options.noiseG,
      signal: this.options.signal,
      ...(this.spec.machine && { machine: this.spec.machine }),
      now: this.now,
      onBatch: (batch) => this.onMeasured(batch),
    });
    this.sampler.start();
    this.mode = new OperatingMode(this.sampler, this.now);
    this.commands = new CommandHandler({
      serial,
      batchIntervalMs: this.options.batchIntervalMs,
      now: this.now,
      accepting: () => this.state === 'running',
      effects: this.mode,
      sendAck: (ack) => this.sendAck(ack),
      log: (line) => this.log(line),
      onAnswered: (ack) => countCommand(this.counters, ack.outcome),
    });
    // A fixed sensor reports where it stands once; a mobile one follows its vehicle.
    this.routeOffsetS = this.route.startOffsetS(serial);
    this.publishFix();
    if (mount === 'mobile') {
      this.every(this.options.locationIntervalMs ?? 1000, () => this.publishFix());
    }
    this.every(this.options.heartbeatMs, () =>
      this.log(
        heartbeatLine({
          uptimeS: (this.now() - this.bootMs) / 1000,
          state: this.powerState,
          batchesMeasured: this.counters.batchesMeasured,
          outboxBatches: this.batches.size,
          connected: this.connected,
        }),
      ),
    );
    this.link.start();
  }

  /** Stops measuring (emitting every batch complete by now) and logs the shutdown. */
  stopMeasuring(): void {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    this.sampler?.stop();
    for (const interval of this.intervals.splice(0)) clearInterval(interval);
    this.log(shutdownLine());
  }

  /** Resolves once everything measured or logged has been confirmed by the broker. */
  drained(): Promise<void> {
    return this.sender.idle();
  }

  /** Disconnects; politely when drained, at once otherwise. */
  async close(): Promise<void> {
    if (this.state === 'stopped') return;
    if (this.state === 'running') this.stopMeasuring();
    this.state = 'stopped';
    const drained = this.sender.pending === 0;
    this.sender.close();
    await this.link.close(drained);
  }

  private onCommand(payload: Uint8Array): void {
    // Messages can still arrive after close() (mqtt.js delivers what it has read already).
    if (this.state === 'stopped') return;
    this.commands?.receive(payload);
  }

  private sendAck(ack: DeviceAck): void {
    this.enqueueEvent('acks', () => commandAckCodec.encode(ack));
  }

  /**
   * Registration on every connect, so the platform learns the current rate and state after a
   * reboot or an outage. While one is still waiting in the outbox another adds nothing: the
   * registration is encoded when it leaves, with the state of that moment.
   */
  private announce(): void {
    if (this.state !== 'running') return;
    if (this.announcement && !this.announcement.handedOff) return;
    this.announcement = this.enqueueEvent('registry', () =>
      registrationCodec.encode(this.registration()),
    );
  }

  private registration(): Omit<Registration, 'schemaVersion'> {
    const { serial, mount } = this.spec;
    return {
      serial,
      sampleFrequencyHz: this.sampleRateHz,
      firmwareVersion: FIRMWARE_VERSION,
      mount,
      bootedAtMs: this.bootMs,
      state: this.powerState,
      reportedAtMs: this.now(),
    };
  }

  /** A message that left the outbox without being sent. */
  private forget(message: Outgoing): void {
    if (message === this.announcement) this.announcement = undefined;
  }

  private every(ms: number, fn: () => void): void {
    this.intervals.push(setInterval(fn, ms));
  }

  private onMeasured(batch: MeasuredBatch): void {
    const samples = batch.values.length;
    countMeasured(this.counters, batch.sequence, samples);
    const serial = this.serial;
    const dropped = this.batches.push({
      kind: 'measurements',
      topic: deviceTopic(serial, 'measurements'),
      samples,
      encode: (nowMs) =>
        measurementBatchCodec.encode({
          serial,
          sequence: batch.sequence,
          startTimeUs: batch.startTimeUs,
          sampleRateHz: batch.sampleRateHz,
          values: Array.from(batch.values),
          publishedAtMs: nowMs,
        }),
    });
    if (dropped) this.onDropped(dropped);
    this.sender.kick();
  }

  private onDropped(message: Outgoing): void {
    const c = this.counters;
    countDropped(c, message);
    this.droppedSinceLog++;
    const nowMs = this.now();
    if (nowMs - this.lastDropLogMs < DROP_LOG_INTERVAL_MS) return;
    this.logger.warn(
      {
        droppedBatches: this.droppedSinceLog,
        batchesDropped: c.batchesDropped,
        samplesDropped: c.samplesDropped,
        capacity: this.batches.capacity,
      },
      'outbox full: dropped the oldest unsent measurement batches',
    );
    this.log(droppedLine(this.droppedSinceLog, this.batches.capacity));
    this.droppedSinceLog = 0;
    this.lastDropLogMs = nowMs;
  }

  private log(line: FirmwareLogLine): void {
    const timeMs = this.now();
    const serial = this.serial;
    this.enqueueEvent('logs', () =>
      logLineCodec.encode({
        serial,
        timeMs,
        level: line.level,
        message: line.message,
        fields: { ...line.fields },
      }),
    );
  }

  private publishFix(): void {
    const timeMs = this.now();
    const serial = this.serial;
    const location =
      this.spec.mount === 'mobile'
        ? {
            ...this.route.at((timeMs - this.bootMs) / 1000 + this.routeOffsetS),
            altitudeM: 25,
            accuracyM: 4,
          }
        : { ...fixedPosition(serial), altitudeM: 12, speedMps: 0, headingDeg: 0, accuracyM: 3 };
    this.enqueueEvent('locations', () => locationCodec.encode({ serial, timeMs, ...location }));
  }

  private enqueueEvent(
    kind: Exclude<DeviceKind, 'measurements'>,
    encode: () => Uint8Array,
  ): Outgoing {
    const message: Outgoing = { kind, topic: deviceTopic(this.serial, kind), samples: 0, encode };
    const dropped = this.events.push(message);
    if (dropped) {
      this.forget(dropped);
      countDropped(this.counters, dropped);
    }
    this.sender.kick();
    return message;
  }
}
