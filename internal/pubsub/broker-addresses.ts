// Several addresses for one broker (the nodes of a cluster): IOT_AMQP_URL and IOT_MQTT_URL take
// one URL or a comma-separated list. amqplib's recovery reconnects to the address it was given
// first; it reads the fields of an address object afresh at every attempt, though, so the
// object of a RotatingAmqpAddress, rewritten on each advance(), sends every new attempt to
// whichever node it names now.
import type { Options } from 'amqplib';

/** The URLs of a comma-separated list, in order (blanks dropped). */
export function brokerAddresses(list: string): string[] {
  return list
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
}

/** host:port of a URL, for logs (never the credentials). */
export function addressLabel(url: string): string {
  const parsed = new URL(url);
  return parsed.port === '' ? parsed.hostname : `${parsed.hostname}:${parsed.port}`;
}

/** amqplib's object form of an AMQP URL (its string form, parsed the way amqplib does). */
function connectOptions(url: string): Options.Connect {
  const parsed = new URL(url);
  const query = parsed.searchParams;
  const int = (name: string) => (query.has(name) ? Number(query.get(name)) : undefined);
  return {
    // amqplib adds the colon itself.
    protocol: parsed.protocol.replace(/:$/, ''),
    hostname: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? undefined : Number(parsed.port),
    // Neither given: amqplib's default user, as for the string form.
    ...(parsed.username === '' && parsed.password === ''
      ? {}
      : {
          username: decodeURIComponent(parsed.username),
          password: decodeURIComponent(parsed.password),
        }),
    // Still escaped (%2F for "/"): amqplib unescapes the vhost of either form.
    vhost: parsed.pathname.slice(1),
    heartbeat: int('heartbeat'),
    frameMax: int('frameMax'),
    channelMax: int('channelMax'),
    locale: query.get('locale') ?? undefined,
  };
}

/** The address amqplib connects to next: one node of the list, moved on by `advance()`. */
export class RotatingAmqpAddress {
  /** What amqplib is given in place of a URL; always the current node's fields. */
  readonly target: Options.Connect = {};
  private readonly urls: string[];
  private index = 0;

  constructor(list: string) {
    this.urls = brokerAddresses(list);
    if (this.urls.length === 0) throw new Error('no AMQP URL given');
    Object.assign(this.target, connectOptions(this.urls[0] as string));
  }

  /** After a failure: the next attempt goes to the next node, round the list. */
  advance(): void {
    this.index = (this.index + 1) % this.urls.length;
    for (const key of Object.keys(this.target)) delete this.target[key as keyof Options.Connect];
    Object.assign(this.target, connectOptions(this.urls[this.index] as string));
  }

  /** host:port the next attempt goes to. */
  get label(): string {
    return addressLabel(this.urls[this.index] as string);
  }
}

/** mqtt.js's `servers` for a list of MQTT URLs: it tries them in turn on each reconnect. */
export function mqttServers(
  list: string,
): { host: string; port: number; protocol: 'mqtt' | 'mqtts' }[] {
  return brokerAddresses(list).map((url) => {
    const parsed = new URL(url);
    const secure = parsed.protocol === 'mqtts:' || parsed.protocol === 'ssl:';
    return {
      host: parsed.hostname,
      port: parsed.port === '' ? (secure ? 8883 : 1883) : Number(parsed.port),
      protocol: secure ? 'mqtts' : 'mqtt',
    };
  });
}
