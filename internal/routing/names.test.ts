import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDefinitions, definitionsPath } from '../../utils/gen-definitions.js';
import { repoRoot } from '../../utils/test/stack-env.js';
import {
  allDevicesPattern,
  derivedKey,
  deviceKey,
  devicePermissions,
  deviceTopic,
  serialFromKey,
} from './names.js';
import { topology } from './topology.js';

describe('routing names', () => {
  it.each([
    ['AAD-1123', 'measurements', 'sensor.AAD-1123.measurements', 'sensor/AAD-1123/measurements'],
    ['x1', 'commands', 'sensor.x1.commands', 'sensor/x1/commands'],
  ] as const)('%s %s → %s / %s', (serial, kind, key, topic) => {
    expect(deviceKey(serial, kind)).toBe(key);
    expect(deviceTopic(serial, kind)).toBe(topic);
    // The MQTT plugin turns `/` into `.`: topic and key must map onto each other.
    expect(topic.replaceAll('/', '.')).toBe(key);
  });

  it('derives feature events under the sensor, beyond what a device may publish', () => {
    expect(derivedKey('AAD-1123', 'features')).toBe('sensor.AAD-1123.features');
    expect(serialFromKey(derivedKey('AAD-1123', 'features'))).toBe('AAD-1123');
    expect(
      new RegExp(devicePermissions('AAD-1123').topic.write.replace('{username}', 'AAD-1123')).test(
        'sensor.AAD-1123.features',
      ),
    ).toBe(false);
  });

  it.each([
    ['sensor.AAD-1123.logs', 'AAD-1123'],
    ['sensor.all.logs', undefined],
    ['sensor.a.b.c', undefined],
    ['device.X.logs', undefined],
  ])('serialFromKey(%s) = %s', (key, serial) => {
    expect(serialFromKey(key)).toBe(serial);
  });

  it('binds every work queue to its device kind and the dead-letter queue to everything', () => {
    const keys = topology.bindings.map((b) => `${b.exchange} ${b.routingKey} → ${b.queue}`);
    expect(keys).toEqual([
      'iot sensor.*.registry → sensor.all.registry.created',
      'iot sensor.*.registry → sensor.all.registry.api',
      'iot sensor.*.measurements → sensor.all.measurements.db_writer',
      'iot sensor.*.measurements → sensor.all.measurements.analytics',
      'iot sensor.*.locations → sensor.all.locations.db_writer',
      'iot sensor.*.logs → sensor.all.logs',
      'iot sensor.*.acks → sensor.all.acks.api',
      'iot sensor.*.features → sensor.all.features.alarms',
      'iot.dlx # → sensor.all.deadletter',
    ]);
    expect(allDevicesPattern('acks')).toBe('sensor.*.acks');
    for (const q of topology.queues) expect(q.arguments['x-queue-type']).toBe('quorum');
  });

  it('dependencies/rabbitmq/definitions.json is generated from this topology', () => {
    expect(readFileSync(definitionsPath, 'utf8'), 'run `npm run gen:definitions`').toBe(
      renderDefinitions(),
    );
  });
});

describe('names live in internal/routing only', () => {
  const sources = ['cmd', 'internal'].flatMap((dir) =>
    readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
      .map((file) => path.join(dir, file))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .filter((file) => !file.startsWith(path.join('internal', 'routing'))),
  );

  it.each(sources)('%s spells no exchange, queue, key or topic', (file) => {
    const text = readFileSync(path.join(repoRoot, file), 'utf8');
    expect(text).not.toMatch(/['"`](sensor[./]|iot\.dlx|mqtt-subscription-)/);
  });
});
