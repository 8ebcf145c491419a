// Turns accepted commands into messages on the sensor's command queue, and keeps sensors
// converging on what operators asked: when a sensor announces itself (boot or reconnect), its
// queued commands are sent and any setting that differs from the desired one is asked again.
import type pg from 'pg';
import type { Publisher } from '../../internal/pubsub/index.js';
import {
  COMMANDS_KIND,
  EXCHANGE,
  commandCodec,
  deviceKey,
  type Command,
  type Registration,
} from '../../internal/routing/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import type { ApiMetrics } from './metrics.js';
import {
  desiredStateOf,
  hasOpenCommand,
  insertCommand,
  markSent,
  queuedCommands,
  type CommandToSend,
  type CommandType,
} from './store/commands-store.js';
import { inTransaction } from './store/queryable.js';

export interface NewCommand {
  sensorId: string;
  type: CommandType;
  sampleFrequencyHz: number | null;
  /** The account that asked; null when the platform re-asks on its own. */
  issuedBy: string | null;
  ttlMs: number;
}

export class CommandDispatcher {
  constructor(
    private readonly deps: {
      pool: pg.Pool;
      publisher: Publisher;
      logger: Logger;
      metrics: ApiMetrics;
      /** Expiry of the commands the platform re-issues itself. */
      commandTtlMs: number;
    },
  ) {}

  /** Records the command and sends it; resolves with its id whether or not it could be sent. */
  async issue(command: NewCommand): Promise<string> {
    const toSend = await inTransaction(this.deps.pool, (client) => insertCommand(client, command));
    this.deps.metrics.commandsIssued.inc({ type: command.type });
    await this.send(toSend);
    return toSend.id;
  }

  /**
   * Publishes to the device's queue and marks the command sent once the broker confirmed it
   * was routed there. Unroutable (the device never subscribed) or unconfirmed, it stays
   * queued, to be sent when the device next announces itself.
   */
  async send(command: CommandToSend): Promise<boolean> {
    const { publisher, pool, logger } = this.deps;
    const log = logger.child({ serial: command.serial, commandId: command.id });
    const remainingMs = command.expiresAt.getTime() - Date.now();
    if (remainingMs <= 0) return false;
    try {
      const { routed } = await publisher.publish(
        EXCHANGE,
        deviceKey(command.serial, COMMANDS_KIND),
        commandCodec.encode(toMessage(command)),
        {
          mandatory: true,
          messageId: command.id,
          type: 'iot.v1.Command',
          // The broker drops it unread once it has expired; the expiry sweep records that.
          expirationMs: remainingMs,
        },
      );
      if (!routed) {
        log.info('sensor has no command queue yet; the command waits for its next announcement');
        return false;
      }
      await markSent(pool, command.id);
      return true;
    } catch (error) {
      log.warn({ err: error }, 'command not confirmed by the broker; it stays queued');
      return false;
    }
  }

  /** A sensor announced itself: send what waited for it, and re-ask what it does not run. */
  async onAnnouncement(registration: Registration): Promise<void> {
    const { pool, commandTtlMs, logger, metrics } = this.deps;
    const desired = await desiredStateOf(pool, registration.serial);
    if (!desired) return; // not enrolled yet: nothing was ever asked of it
    for (const command of await queuedCommands(pool, desired.sensorId)) await this.send(command);

    const reportedState = registration.state || 'awake';
    const wanted: { type: CommandType; hz: number | null }[] = [];
    if (desired.desiredState && desired.desiredState !== reportedState) {
      wanted.push({ type: desired.desiredState === 'asleep' ? 'sleep' : 'awake', hz: null });
    }
    const hz = desired.desiredSampleFrequencyHz;
    if (hz !== null && hz !== registration.sampleFrequencyHz) {
      wanted.push({ type: 'set_sample_frequency', hz });
    }
    for (const { type, hz: sampleFrequencyHz } of wanted) {
      // One in flight is enough: it is already on its way, or queued for this very send.
      if (await hasOpenCommand(pool, desired.sensorId, type)) continue;
      logger.info(
        { serial: registration.serial, type, sampleFrequencyHz },
        'sensor runs otherwise than asked; asking again',
      );
      metrics.commandsReissued.inc({ type });
      await this.issue({
        sensorId: desired.sensorId,
        type,
        sampleFrequencyHz,
        issuedBy: null,
        ttlMs: commandTtlMs,
      });
    }
  }
}

function toMessage(command: CommandToSend): Omit<Command, 'schemaVersion'> {
  return {
    id: command.id,
    issuedAtMs: command.issuedAt.getTime(),
    expiresAtMs: command.expiresAt.getTime(),
    action:
      command.type === 'set_sample_frequency'
        ? { type: 'set_sample_frequency', hz: command.sampleFrequencyHz ?? 0 }
        : { type: command.type },
  };
}
