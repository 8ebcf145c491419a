import { describe, expect, it } from 'vitest';
import { RotatingAmqpAddress, brokerAddresses, mqttServers } from './broker-addresses.js';

describe('brokerAddresses', () => {
  it.each([
    ['amqp://a:1/%2F', ['amqp://a:1/%2F']],
    ['amqp://a:1/%2F, amqp://b:2/%2F,', ['amqp://a:1/%2F', 'amqp://b:2/%2F']],
  ])('%s → %o', (list, urls) => {
    expect(brokerAddresses(list)).toEqual(urls);
  });
});

describe('RotatingAmqpAddress', () => {
  it("reads as amqplib's object form of the current node and moves round the list", () => {
    const address = new RotatingAmqpAddress(
      'amqp://iot-services:s%40cret@127.0.0.1:20920/%2F?heartbeat=5,amqps://u:p@node-2/vh',
    );
    expect(address.target).toEqual({
      protocol: 'amqp',
      hostname: '127.0.0.1',
      port: 20920,
      username: 'iot-services',
      password: 's@cret',
      vhost: '%2F',
      heartbeat: 5,
    });
    address.advance();
    expect(address.target).toMatchObject({ protocol: 'amqps', hostname: 'node-2', vhost: 'vh' });
    expect(address.target.heartbeat).toBeUndefined();
    expect(address.label).toBe('node-2');
    address.advance();
    expect(address.label).toBe('127.0.0.1:20920');
  });

  it('refuses an empty list', () => {
    expect(() => new RotatingAmqpAddress(' , ')).toThrow(/no AMQP URL/);
  });
});

describe('mqttServers', () => {
  it('lists host, port and protocol of each node, with the default ports', () => {
    expect(mqttServers('mqtts://localhost:20929,mqtt://127.0.0.1,mqtts://b')).toEqual([
      { host: 'localhost', port: 20929, protocol: 'mqtts' },
      { host: '127.0.0.1', port: 1883, protocol: 'mqtt' },
      { host: 'b', port: 8883, protocol: 'mqtts' },
    ]);
  });
});
