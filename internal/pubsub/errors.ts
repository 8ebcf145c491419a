// Failures of the messaging layer, each with a stable code.

export type PubSubErrorCode = 'PUBLISH_NACKED' | 'PUBLISH_TIMEOUT' | 'CONNECTION_CLOSED';

export class PubSubError extends Error {
  override name = 'PubSubError';
  readonly code: PubSubErrorCode;
  constructor(code: PubSubErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The broker refused the message (nack): it is not stored. */
export class PublishNackedError extends PubSubError {
  override name = 'PublishNackedError';
  constructor(routingKey: string) {
    super('PUBLISH_NACKED', `broker refused the message for ${routingKey}`);
  }
}

/** No confirm arrived in time (broker unreachable for too long): the caller decides. */
export class PublishTimeoutError extends PubSubError {
  override name = 'PublishTimeoutError';
  constructor(routingKey: string, ms: number, options?: { cause?: unknown }) {
    super('PUBLISH_TIMEOUT', `no broker confirm for ${routingKey} within ${ms} ms`, options);
  }
}

export class ConnectionClosedError extends PubSubError {
  override name = 'ConnectionClosedError';
  constructor() {
    super('CONNECTION_CLOSED', 'the AMQP connection was closed by its owner');
  }
}
