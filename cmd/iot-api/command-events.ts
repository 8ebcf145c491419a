// Tells `--wait` streams that a command changed. Whichever replica recorded the change, it
// NOTIFYs on commit; every replica LISTENs on one connection and wakes its local waiters. A lost
// listener connection is re-opened; the streams also re-read on a slow timer, so a notification
// missed during that gap delays an update, never loses it.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from '../../internal/telemetry/index.js';
import { NOTIFY_CHANNEL } from './store/commands-store.js';

const RECONNECT_MS = 1_000;

export class CommandEvents {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {
    // One listener per open stream; thousands of waiting CLIs are fine.
    this.emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: 'iot-api-listen',
    });
    client.on('notification', (message) => {
      if (message.payload) this.emitter.emit(message.payload);
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'command notification connection lost; reconnecting');
      this.reconnectLater();
    });
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.client = client;
  }

  /** Calls `onChange` whenever the command may have changed; returns the unsubscribe. */
  subscribe(commandId: string, onChange: () => void): () => void {
    this.emitter.on(commandId, onChange);
    return () => this.emitter.off(commandId, onChange);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private reconnectLater(): void {
    const old = this.client;
    this.client = undefined;
    void old?.end().catch(() => undefined);
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.closed) return;
      this.start().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'could not LISTEN for command changes; retrying');
        this.reconnectLater();
      });
    }, RECONNECT_MS);
  }
}
