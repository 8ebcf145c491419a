// One AMQP connection per process, kept alive by amqplib's recovery (exponential backoff with
// jitter). After every (re)connect it declares the topology and re-attaches every publisher
// and consumer that was built on it, so a broker restart or a killed connection heals itself.
// Given a cluster's nodes, every failure moves the next attempt to the next node, so the
// connection lands on a surviving node when its own dies.
import amqplib, { type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import { topology } from '../routing/index.js';
import type { Logger } from '../telemetry/index.js';
import { RotatingAmqpAddress } from './broker-addresses.js';
import { ConnectionClosedError } from './errors.js';

/** Something that owns channels: it gets a fresh connection after every reconnect. */
export interface Attachment {
  attach(model: ChannelModel): Promise<void>;
}

export interface ConnectionOptions {
  /** One AMQP URL, or a cluster's nodes as a comma-separated list (IOT_AMQP_URL). */
  url: string;
  logger: Logger;
  /** Shown as the connection's name in the management UI. */
  name: string;
  /** Attempts before the first connection gives up (start-up fails fast). Default 15. */
  initialMaxRetries?: number;
}

export class AmqpConnection {
  private recovering!: RecoveringChannelModel;
  private model: ChannelModel | undefined;
  private readonly attachments = new Set<Attachment>();
  private closed = false;
  private connects = 0;

  private constructor(
    private readonly logger: Logger,
    private readonly address: RotatingAmqpAddress,
  ) {}

  static async open(options: ConnectionOptions): Promise<AmqpConnection> {
    const connection = new AmqpConnection(options.logger, new RotatingAmqpAddress(options.url));
    // waitForConnect: false hands out the connection before the first attempt, so the
    // listeners below see the first 'connect' too.
    connection.recovering = await amqplib.connect(connection.address.target, {
      clientProperties: { connection_name: options.name },
      recovery: {
        initialDelay: 250,
        maxDelay: 10_000,
        maxRetries: Infinity,
        initialMaxRetries: options.initialMaxRetries ?? 15,
        waitForConnect: false,
        // Runs after every successful (re)connect, before the connection is handed out.
        setup: (model: ChannelModel) => connection.onConnected(model),
      },
    });
    connection.watch();
    await connection.recovering.waitForConnect();
    return connection;
  }

  get isConnected(): boolean {
    return this.model !== undefined && !this.closed;
  }

  /** How many times the connection has been re-established after the first time. */
  get reconnectCount(): number {
    return Math.max(0, this.connects - 1);
  }

  /** The live connection, waiting through a reconnect if there is none right now. */
  async current(): Promise<ChannelModel> {
    if (this.closed) throw new ConnectionClosedError();
    if (this.model) return this.model;
    return new Promise((resolve, reject) => {
      const onConnect = (model: ChannelModel) => {
        this.recovering.off('reconnect-failed', onFailed);
        resolve(model);
      };
      const onFailed = (error: Error) => {
        this.recovering.off('connect', onConnect);
        reject(error);
      };
      this.recovering.once('connect', onConnect);
      this.recovering.once('reconnect-failed', onFailed);
    });
  }

  /** Registers an attachment and attaches it now if connected; it re-attaches on reconnect. */
  async add(attachment: Attachment): Promise<void> {
    this.attachments.add(attachment);
    if (this.model) await attachment.attach(this.model);
  }

  remove(attachment: Attachment): void {
    this.attachments.delete(attachment);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.model = undefined;
    await this.recovering.close();
  }

  private async onConnected(model: ChannelModel): Promise<void> {
    await declareTopology(model);
    for (const attachment of this.attachments) await attachment.attach(model);
  }

  private watch(): void {
    this.recovering.on('connect', (model: ChannelModel) => {
      this.model = model;
      this.connects++;
      if (this.connects > 1)
        this.logger.info(
          { reconnects: this.connects - 1, broker: this.address.label },
          'AMQP reconnected',
        );
    });
    // Both fire before the next attempt is scheduled: that attempt tries the next node.
    this.recovering.on('disconnect', (error: Error) => {
      this.model = undefined;
      if (!this.closed)
        this.logger.warn(
          { err: error, broker: this.address.label },
          'AMQP connection lost; reconnecting',
        );
      this.address.advance();
    });
    this.recovering.on('connect-failed', (error: Error) => {
      this.logger.debug({ err: error, broker: this.address.label }, 'AMQP connect failed');
      this.address.advance();
    });
    this.recovering.on(
      'reconnect-scheduled',
      ({ attempt, delay }: { attempt: number; delay: number }) =>
        this.logger.debug({ attempt, delay }, 'AMQP reconnect scheduled'),
    );
    this.recovering.on('reconnect-failed', (error: Error) =>
      this.logger.error({ err: error }, 'AMQP reconnect gave up'),
    );
    this.recovering.on('blocked', (reason: string) =>
      this.logger.warn({ reason }, 'broker blocked publishing (resource alarm)'),
    );
    this.recovering.on('error', (error: Error) =>
      this.logger.warn({ err: error }, 'AMQP connection error'),
    );
  }
}

/** Declares exchanges, queues and bindings exactly as definitions.json does (idempotent). */
async function declareTopology(model: ChannelModel): Promise<void> {
  const channel = await model.createChannel();
  try {
    for (const exchange of topology.exchanges) {
      await channel.assertExchange(exchange.name, exchange.type, { durable: true });
    }
    for (const queue of topology.queues) {
      await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
    }
    for (const binding of topology.bindings) {
      await channel.bindQueue(binding.queue, binding.exchange, binding.routingKey);
    }
  } finally {
    await channel.close();
  }
}
