// RabbitMQ's management HTTP API: device users with their permissions, and the look into
// queues and connections that tests and operators need.
import { devicePermissions, mqttSubscriptionQueue } from '../routing/index.js';

/**
 * Broker connections one device user may hold at once. A device needs one; the second covers
 * a reconnect while the broker has not yet noticed the old socket is dead. More is a leaked
 * credential or a runaway client filling the broker with connections.
 */
export const DEVICE_MAX_CONNECTIONS = 2;

/**
 * The user tag that makes a broker user a device: broker-auth (cmd/broker-auth) then lets it
 * connect only over MQTT, with its username as its client id. A user created before the tag
 * existed gets it from `iotctl rotate-credentials`.
 */
export const DEVICE_USER_TAG = 'iot-device';

export interface RabbitAdminOptions {
  url: string;
  username: string;
  password: string;
  vhost?: string;
  /** How long a new connection may be missing from the listing (default LISTING_DELAY_MS). */
  listingDelayMs?: number;
}

/**
 * The management API lists a connection once the broker has first collected its statistics:
 * every collect_statistics_interval, 5 s by default (we keep the default). A connection opened
 * less than that before a look may be missing from it; a second look a second later than that
 * finds it.
 */
const LISTING_DELAY_MS = 6_000;

export interface QueueStats {
  messages: number;
  messagesReady: number;
  messagesUnacknowledged: number;
  consumers: number;
}

export class RabbitAdmin {
  private readonly vhost: string;
  private readonly authorization: string;

  constructor(private readonly options: RabbitAdminOptions) {
    this.vhost = encodeURIComponent(options.vhost ?? '/');
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  }

  /** Creates or updates a device's broker user, limited to its own topics (idempotent). */
  async ensureDeviceUser(serial: string, password: string): Promise<void> {
    const user = encodeURIComponent(serial);
    const permissions = devicePermissions(serial);
    await this.request('PUT', `/api/users/${user}`, { password, tags: DEVICE_USER_TAG });
    await this.request('PUT', `/api/permissions/${this.vhost}/${user}`, permissions.vhost);
    await this.request('PUT', `/api/topic-permissions/${this.vhost}/${user}`, permissions.topic);
    await this.request('PUT', `/api/user-limits/${user}/max-connections`, {
      value: DEVICE_MAX_CONNECTIONS,
    });
  }

  /** A user's limits as the broker holds them (`max-connections`…); {} when it has none. */
  async userLimits(user: string): Promise<Record<string, number>> {
    const found = (await this.request('GET', `/api/user-limits/${encodeURIComponent(user)}`)) as {
      value: Record<string, number>;
    }[];
    return found[0]?.value ?? {};
  }

  /** The policy definition in force on a queue (bounds: max-length, overflow…). */
  async queuePolicy(queue: string): Promise<Record<string, unknown>> {
    const q = (await this.request(
      'GET',
      `/api/queues/${this.vhost}/${encodeURIComponent(queue)}`,
    )) as { effective_policy_definition?: Record<string, unknown> };
    return q.effective_policy_definition ?? {};
  }

  /** Merges definitions (policies, queues…) into the running broker, as load_definitions does. */
  async importDefinitions(definitions: Record<string, unknown>): Promise<void> {
    await this.request('POST', '/api/definitions', definitions);
  }

  async deleteUser(name: string): Promise<void> {
    await this.request('DELETE', `/api/users/${encodeURIComponent(name)}`, undefined, [404]);
  }

  /**
   * Forgets a device: its broker user and the command queue its persistent MQTT session keeps
   * (which would otherwise outlive it for good: `mqtt.subscription_ttl` is infinite).
   */
  async deleteDevice(serial: string): Promise<void> {
    await this.deleteUser(serial);
    await this.request(
      'DELETE',
      `/api/queues/${this.vhost}/${encodeURIComponent(mqttSubscriptionQueue(serial))}`,
      undefined,
      [404],
    );
  }

  /**
   * Cuts off a device: a changed password or a deleted user stops new logins at once, but a
   * connection already open stays until closed. Those listed now are closed now; one opened
   * just before, not listed yet, is closed by a second look once it must be listed.
   */
  async closeUserConnections(user: string, reason: string): Promise<void> {
    for (const name of await this.connections({ user })) await this.closeConnection(name, reason);
    await new Promise((wake) => setTimeout(wake, this.options.listingDelayMs ?? LISTING_DELAY_MS));
    for (const name of await this.connections({ user })) await this.closeConnection(name, reason);
  }

  async queueStats(queue: string): Promise<QueueStats> {
    const q = (await this.request(
      'GET',
      `/api/queues/${this.vhost}/${encodeURIComponent(queue)}`,
    )) as Record<string, number | undefined>;
    return {
      messages: q.messages ?? 0,
      messagesReady: q.messages_ready ?? 0,
      messagesUnacknowledged: q.messages_unacknowledged ?? 0,
      consumers: q.consumers ?? 0,
    };
  }

  async purgeQueue(queue: string): Promise<void> {
    await this.request('DELETE', `/api/queues/${this.vhost}/${encodeURIComponent(queue)}/contents`);
  }

  /** Connections whose client-given name (connection_name) or user matches. */
  async connections(filter: { clientName?: string; user?: string }): Promise<string[]> {
    const all = (await this.request('GET', '/api/connections')) as {
      name: string;
      user: string;
      client_properties?: { connection_name?: string };
    }[];
    return all
      .filter(
        (c) =>
          filter.clientName === undefined ||
          c.client_properties?.connection_name === filter.clientName,
      )
      .filter((c) => filter.user === undefined || c.user === filter.user)
      .map((c) => c.name);
  }

  /** Force-closes a connection, as a network failure or an operator would. */
  async closeConnection(name: string, reason = 'closed by admin'): Promise<void> {
    await this.request('DELETE', `/api/connections/${encodeURIComponent(name)}`, undefined, [404], {
      'x-reason': reason,
    });
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
    okStatuses: number[] = [],
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    const response = await fetch(`${this.options.url}${path}`, {
      method,
      headers: {
        authorization: this.authorization,
        'content-type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok && !okStatuses.includes(response.status)) {
      throw new Error(
        `RabbitMQ management ${method} ${path}: ${response.status} ${await response.text()}`,
      );
    }
    const text = await response.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
