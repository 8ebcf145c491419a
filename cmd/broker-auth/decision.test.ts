import { describe, expect, it } from 'vitest';
import { DEVICE_USER_TAG } from '../../internal/pubsub/index.js';
import { decide } from './decision.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

describe('broker-auth decide', () => {
  it('lets a device in as its own client id only', () => {
    const device = { username: 'AAD-1124', vhost: '/', tags: DEVICE_USER_TAG, ip: '10.0.0.7' };
    expect(decide('/auth/vhost', form({ ...device, client_id: 'AAD-1124' }))).toEqual({
      allow: true,
    });
    expect(decide('/auth/vhost', form({ ...device, client_id: 'AAD-1123' }))).toEqual({
      allow: false,
      reason: 'client-id-mismatch',
    });
    expect(decide('/auth/vhost', form({ ...device, client_id: '' }))).toEqual({
      allow: false,
      reason: 'client-id-mismatch',
    });
  });

  it('refuses a device without a client id: an AMQP login', () => {
    expect(
      decide(
        '/auth/vhost',
        form({ username: 'AAD-1124', vhost: '/', tags: `foo ${DEVICE_USER_TAG}` }),
      ),
    ).toEqual({ allow: false, reason: 'device-without-client-id' });
  });

  it('leaves services and administrators alone, with or without a client id', () => {
    expect(decide('/auth/vhost', form({ username: 'iot-services', vhost: '/', tags: '' }))).toEqual(
      {
        allow: true,
      },
    );
    expect(
      decide('/auth/vhost', form({ username: 'iot-admin', tags: 'administrator', client_id: 'x' })),
    ).toEqual({ allow: true });
  });

  it('has no objection to logins, resources and topics: the internal backend decides those', () => {
    const device = { username: 'AAD-1124', tags: DEVICE_USER_TAG, client_id: 'AAD-1123' };
    for (const path of ['/auth/user', '/auth/resource', '/auth/topic'] as const) {
      expect(decide(path, form(device))).toEqual({ allow: true });
    }
  });
});
