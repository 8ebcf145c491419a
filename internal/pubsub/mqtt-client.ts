// The device side of the broker: MQTT 3.1.1 (what RabbitMQ 3.10's plugin speaks), QoS 1,
// persistent session, automatic reconnect. mqtt.js keeps unacknowledged QoS 1 publishes in its
// outgoing store and sends them again after a reconnect. Given a cluster's nodes, each
// reconnect tries the next one (mqtt.js `servers`), so a device moves to a surviving node.
//
// Incoming messages go to one listener given at connect time, not per subscribe() call: a
// persistent session delivers what waited in the broker right after CONNACK, before the caller
// could subscribe again, and mqtt.js acknowledges (PUBACK) a message whether anyone listened or
// not, so a listener added later would lose those messages.
import mqtt, { type IClientOptions, type MqttClient as RawClient } from 'mqtt';
import type { Logger } from '../telemetry/index.js';
import { brokerAddresses, mqttServers } from './broker-addresses.js';

export interface MqttOptions {
  /** One MQTT URL, or a cluster's nodes as a comma-separated list (IOT_MQTT_URL). */
  url: string;
  clientId: string;
  username: string;
  password: string;
  logger: Logger;
  /** PEM of the CA that signed the broker's certificate, for mqtts:// (the stack's own CA). */
  ca?: string;
  /** false (the default) keeps the session and its subscriptions across reconnects. */
  clean?: boolean;
  reconnectPeriodMs?: number;
  keepaliveSeconds?: number;
  /** Every message on the subscribed topics, from the first packet after CONNACK on. */
  onMessage?: MessageListener;
}

export type MessageListener = (topic: string, payload: Buffer) => void;

export class MqttClient {
  private constructor(
    private readonly raw: RawClient,
    private readonly logger: Logger,
  ) {}

  /**
   * Connects and resolves on the first CONNACK; a refused login rejects instead of retrying.
   * A node that cannot be reached is skipped for the next one of a cluster's list; when none
   * of them can be, the last error rejects.
   */
  static connect(options: MqttOptions): Promise<MqttClient> {
    const servers = mqttServers(options.url);
    const clientOptions: IClientOptions = {
      protocolVersion: 4,
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      clean: options.clean ?? false,
      reconnectPeriod: options.reconnectPeriodMs ?? 1000,
      // Keep retrying after a refused CONNACK once connected (e.g. credentials rotated);
      // the first connect still fails fast below.
      reconnectOnConnackError: true,
      keepalive: options.keepaliveSeconds ?? 30,
      connectTimeout: 10_000,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      servers,
    };
    const raw = mqtt.connect(brokerAddresses(options.url)[0] ?? options.url, clientOptions);
    const logger = options.logger.child({ clientId: options.clientId });
    return new Promise((resolve, reject) => {
      // Servers tried so far: mqtt.js moves to the next on each reconnect.
      let tried = 1;
      const onReconnect = () => tried++;
      raw.on('reconnect', onReconnect);
      const onError = (error: Error & { code?: unknown }) => {
        // Socket errors carry a string code (ECONNREFUSED...), a refused CONNACK a number:
        // after the first kind mqtt.js reconnects, to the next server while one is left.
        if (typeof error.code === 'string' && tried < servers.length) {
          logger.debug({ err: error }, 'MQTT node unreachable; trying the next');
          return;
        }
        raw.off('reconnect', onReconnect);
        raw.end(true);
        reject(error);
      };
      raw.on('error', onError);
      const onMessage = options.onMessage;
      if (onMessage) {
        raw.on('message', (topic, payload) => {
          // A throw here would unwind into mqtt.js's packet loop and stall the connection.
          try {
            onMessage(topic, payload);
          } catch (error) {
            logger.error({ err: error, topic }, 'MQTT message listener failed');
          }
        });
      }
      raw.once('connect', () => {
        raw.off('error', onError);
        raw.off('reconnect', onReconnect);
        raw.on('error', (error) => logger.warn({ err: error }, 'MQTT error'));
        raw.on('offline', () => logger.warn('MQTT offline; reconnecting'));
        raw.on('reconnect', () => logger.debug('MQTT reconnecting'));
        resolve(new MqttClient(raw, logger));
      });
    });
  }

  get connected(): boolean {
    return this.raw.connected;
  }

  /** Resolves when the broker acknowledged the message (PUBACK for QoS 1). */
  async publish(topic: string, payload: Uint8Array, qos: 0 | 1 = 1): Promise<void> {
    await this.raw.publishAsync(topic, Buffer.from(payload), { qos });
  }

  /**
   * Subscribes (SUBSCRIBE, resolving on a SUBACK that grants it); messages go to `onMessage`.
   * Subscribing again to the same topic is harmless, so it can be repeated on every connect.
   */
  async subscribe(topic: string, qos: 0 | 1 = 1): Promise<void> {
    const granted = await this.raw.subscribeAsync(topic, { qos });
    if (granted.some((g) => g.qos === 128))
      throw new Error(`broker refused subscription to ${topic}`);
  }

  onConnect(listener: () => void): void {
    this.raw.on('connect', listener);
  }

  onClose(listener: () => void): void {
    this.raw.on('close', listener);
  }

  async close(force = false): Promise<void> {
    await this.raw.endAsync(force);
    this.logger.debug('MQTT closed');
  }
}
