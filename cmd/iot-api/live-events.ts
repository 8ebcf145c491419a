// The live view's source: sensor-alarms' NOTIFYs on the live channel (a window's features, an
// alarm that changed, a sensor's connectivity), and iot-api's own on an acknowledgement,
// handed to the open streams of the organization they belong to. Streams are counted per
// account, so one account cannot hold every connection of a replica.
import { EventEmitter } from 'node:events';
import { LIVE_CHANNEL, parseLiveEvent, type LiveEvent } from '../../internal/alarms/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import { NotificationListener } from './notification-listener.js';

export class LiveEvents {
  private readonly emitter = new EventEmitter();
  private readonly listener: NotificationListener;
  private readonly open = new Map<string, number>();

  constructor(
    databaseUrl: string,
    logger: Logger,
    private readonly streamsPerAccount: number,
  ) {
    this.emitter.setMaxListeners(0);
    this.listener = new NotificationListener(databaseUrl, LIVE_CHANNEL, logger, (payload) => {
      const event = parseLiveEvent(payload);
      if (event) this.emitter.emit(event.organizationId, event);
    });
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  /**
   * Counts a stream against its account: a release function, or undefined when the account
   * already holds its limit.
   */
  claimStream(accountId: string): (() => void) | undefined {
    const held = this.open.get(accountId) ?? 0;
    if (held >= this.streamsPerAccount) return undefined;
    this.open.set(accountId, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.open.get(accountId) ?? 1) - 1;
      if (now === 0) this.open.delete(accountId);
      else this.open.set(accountId, now);
    };
  }

  /** Events of the organization (of one sensor, when given); returns the unsubscribe. */
  subscribe(
    organizationId: string,
    serial: string | undefined,
    onEvent: (event: LiveEvent) => void,
  ): () => void {
    const listener = (event: LiveEvent) => {
      if (serial === undefined || event.serial === serial) onEvent(event);
    };
    this.emitter.on(organizationId, listener);
    return () => this.emitter.off(organizationId, listener);
  }

  close(): Promise<void> {
    return this.listener.close();
  }
}
