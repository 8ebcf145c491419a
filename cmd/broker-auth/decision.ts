// What RabbitMQ asks broker-auth (rabbitmq_auth_backend_http, behind rabbitmq_auth_backend_cache)
// and what it answers. RabbitMQ checks passwords and permissions itself (the internal backend,
// first in the chain); this second authorization backend adds the one rule the internal one
// cannot express: a device may only ever be its own MQTT client.
//
// RabbitMQ 3.10 registers an MQTT client id, disconnecting whoever held it, only after the
// login and the vhost access check have succeeded, and it passes the client id to the vhost
// check (`client_id`). Refusing that check when a device's client id is not its username
// stops a device from knocking another offline before any session is touched. AMQP logins
// carry no client id, so a device's credentials are refused there too. Every other check is
// left to the internal backend: "allow" here means "no objection".
import { DEVICE_USER_TAG } from '../../internal/pubsub/index.js';

/** The four paths of rabbitmq_auth_backend_http, as configured in rabbitmq.conf. */
export const AUTH_PATHS = ['/auth/user', '/auth/vhost', '/auth/resource', '/auth/topic'] as const;
export type AuthPath = (typeof AUTH_PATHS)[number];

export type Decision =
  { allow: true } | { allow: false; reason: 'client-id-mismatch' | 'device-without-client-id' };

/** The answer to one request of RabbitMQ's, from its form fields. */
export function decide(path: AuthPath, fields: URLSearchParams): Decision {
  if (path !== '/auth/vhost') return { allow: true };
  const tags = (fields.get('tags') ?? '').split(' ');
  if (!tags.includes(DEVICE_USER_TAG)) return { allow: true };
  const clientId = fields.get('client_id');
  if (clientId === null) return { allow: false, reason: 'device-without-client-id' };
  if (clientId !== fields.get('username')) return { allow: false, reason: 'client-id-mismatch' };
  return { allow: true };
}
