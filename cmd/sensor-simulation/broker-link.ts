// A sensor's connection to the broker: MQTT 3.1.1 via internal/pubsub's MqttClient, client id =
// username = serial, persistent session (clean: false), QoS 1. Connecting goes through the
// fleet's gate and retries with backoff (the broker may be down at boot, or the sensor not yet
// provisioned); once connected, mqtt.js reconnects by itself, moving round a cluster's nodes
// (IOT_MQTT_URL's list), and resends unacknowledged QoS 1 publishes; a reconnect answered by a
// refusing CONNACK (credentials rotated, a broker still starting up) is retried too
// (`reconnectOnConnackError` in MqttClient). As a backstop, a watchdog notices a client that
// has been offline too long whatever the cause, throws it away and connects afresh.
//
// On every connect (the first, each mqtt.js reconnect, each fresh client) the link subscribes to
// the device's commands and then says so (onConnected): a session the broker lost (its node
// restarted, or the device's queue was deleted) comes back with no subscription, and the device
// announces itself only once commands can reach it, since the platform answers an announcement
// by sending the state it wants. A fresh client takes publishes only after that, so the device's
// registration goes out before its backlog of batches.
import { MqttClient } from '../../internal/pubsub/index.js';
import type { Gate } from '../../internal/simulation/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import type { PublishFn } from './sender.js';

export interface BrokerLinkOptions {
  url: string;
  /** The CA of the broker's TLS certificate (mqtts://). */
  ca?: string;
  serial: string;
  password: string;
  logger: Logger;
  gate?: Gate;
  reconnectPeriodMs?: number;
  /** Offline longer than this, the client is replaced. */
  offlineWatchdogMs?: number;
  now?: () => number;
  /** A topic subscribed (QoS 1) on every connect, and where its messages go. */
  subscription?: { topic: string; onMessage(payload: Buffer): void };
  /** Every connect, once the subscription is in place (or was refused, which is logged). */
  onConnected?(): void;
  /** A connected client is ready to take publishes. */
  onUp(publish: PublishFn): void;
  /**
   * The client is being thrown away: stop publishing to it and take back what it holds, since
   * mqtt.js's end() never settles the publishes still waiting for a PUBACK.
   */
  onDiscard(): void;
}

/**
 * A client offline this long is thrown away and replaced: longer than any reconnect that is
 * merely slow, short enough that a device mqtt.js gave up on is back within a minute.
 */
const OFFLINE_WATCHDOG_MS = 30_000;
/** mqtt.js's own reconnect period (its default), before the watchdog steps in. */
const MQTT_RECONNECT_PERIOD_MS = 1_000;
/**
 * Connection retries back off exponentially with jitter, from 0.5 s doubling six times at most
 * and capped at 30 s: a fleet must not hammer, in step, a broker that is coming back up.
 */
const CONNECT_BACKOFF_BASE_MS = 500;
const CONNECT_BACKOFF_MAX_DOUBLINGS = 6;
const CONNECT_BACKOFF_MAX_MS = 30_000;

export class BrokerLink {
  private client: MqttClient | undefined;
  private connecting: Promise<void> | undefined;
  private offlineSinceMs: number | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private backoff: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private closed = false;
  private readonly now: () => number;
  private readonly watchdogMs: number;

  constructor(private readonly options: BrokerLinkOptions) {
    this.now = options.now ?? Date.now;
    this.watchdogMs = options.offlineWatchdogMs ?? OFFLINE_WATCHDOG_MS;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    this.watchdogTimer = setInterval(() => this.watchdog(), Math.min(5000, this.watchdogMs));
    this.connecting = this.connectLoop();
  }

  /** Disconnects: politely (DISCONNECT) when nothing is pending, at once otherwise. */
  async close(polite: boolean): Promise<void> {
    this.closed = true;
    clearInterval(this.watchdogTimer);
    if (this.backoff) {
      clearTimeout(this.backoff.timer);
      this.backoff.wake();
    }
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (polite && client.connected) {
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        client.close(false).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(resolve, 2000, false))),
      ]).finally(() => clearTimeout(timer));
      if (closed) return;
    }
    await client.close(true);
  }

  private async connectLoop(): Promise<void> {
    const { logger, serial } = this.options;
    const gate: Gate = this.options.gate ?? ((task) => task());
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        const subscription = this.options.subscription;
        const client = await gate(() =>
          MqttClient.connect({
            url: this.options.url,
            ca: this.options.ca,
            clientId: serial,
            username: serial,
            password: this.options.password,
            logger,
            clean: false,
            reconnectPeriodMs: this.options.reconnectPeriodMs ?? MQTT_RECONNECT_PERIOD_MS,
            onMessage: subscription
              ? (topic, payload) => {
                  if (topic === subscription.topic) subscription.onMessage(payload);
                }
              : undefined,
          }),
        );
        if (this.closed) {
          await client.close(true);
          return;
        }
        this.attach(client);
        return;
      } catch (error) {
        const delay =
          Math.min(
            CONNECT_BACKOFF_MAX_MS,
            CONNECT_BACKOFF_BASE_MS * 2 ** Math.min(attempt, CONNECT_BACKOFF_MAX_DOUBLINGS),
          ) *
          (0.5 + Math.random());
        logger.warn(
          { err: error, attempt, retryInMs: Math.round(delay) },
          'cannot connect to the broker; measuring into the outbox meanwhile',
        );
        await new Promise<void>((resolve) => {
          this.backoff = { timer: setTimeout(resolve, delay), wake: resolve };
        });
        this.backoff = undefined;
      }
    }
  }

  private attach(client: MqttClient): void {
    const { logger } = this.options;
    this.client = client;
    this.offlineSinceMs = undefined;
    logger.info('connected to the broker');
    client.onClose(() => {
      if (this.client === client) this.offlineSinceMs ??= this.now();
    });
    client.onConnect(() => {
      if (this.client !== client) return;
      const offlineMs = this.offlineSinceMs === undefined ? 0 : this.now() - this.offlineSinceMs;
      logger.info({ offlineMs }, 'reconnected to the broker');
      this.offlineSinceMs = undefined;
      void this.settle(client);
    });
    void this.settle(client).then(() => {
      if (this.client === client)
        this.options.onUp((topic, payload) => client.publish(topic, payload, 1));
    });
  }

  /** Subscribes on a fresh connection, then tells the device it is connected. Never rejects. */
  private async settle(client: MqttClient): Promise<void> {
    const { subscription, logger } = this.options;
    if (subscription) {
      try {
        await client.subscribe(subscription.topic, 1);
        logger.debug({ topic: subscription.topic }, 'subscribed');
      } catch (error) {
        // The connection dropped under the SUBSCRIBE (the next connect tries again), or the
        // broker refused it: the device still measures and announces itself.
        logger.warn({ err: error, topic: subscription.topic }, 'cannot subscribe');
      }
    }
    if (this.client === client && client.connected && !this.closed) this.options.onConnected?.();
  }

  private watchdog(): void {
    const client = this.client;
    if (this.closed || !client || client.connected || this.offlineSinceMs === undefined) return;
    const offlineMs = this.now() - this.offlineSinceMs;
    if (offlineMs < this.watchdogMs) return;
    this.options.logger.warn({ offlineMs }, 'MQTT client gave up reconnecting; connecting afresh');
    this.options.onDiscard();
    this.client = undefined;
    this.offlineSinceMs = undefined;
    client
      .close(true)
      .catch((error: unknown) => this.options.logger.debug({ err: error }, 'close failed'));
    this.connecting = this.connectLoop();
  }
}
