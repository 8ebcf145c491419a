// One LISTEN connection per channel: PostgreSQL NOTIFYs on commit, whichever replica (or
// service) made the change, and every replica's listener hears it. A lost connection is
// re-opened; what is missed in that gap the streams catch up on with their slow re-reads.
import pg from 'pg';
import type { Logger } from '../../internal/telemetry/index.js';

const RECONNECT_MS = 1_000;

export class NotificationListener {
  private client: pg.Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly logger: Logger,
    private readonly onPayload: (payload: string) => void,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: `iot-api-listen-${this.channel}`,
    });
    client.on('notification', (message) => {
      if (message.payload) this.onPayload(message.payload);
    });
    client.on('error', (error) => {
      this.logger.warn(
        { err: error, channel: this.channel },
        'LISTEN connection lost; reconnecting',
      );
      this.reconnectLater();
    });
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    this.client = client;
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
        this.logger.warn({ err: error, channel: this.channel }, 'could not LISTEN; retrying');
        this.reconnectLater();
      });
    }, RECONNECT_MS);
  }
}
