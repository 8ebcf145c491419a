import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../internal/pubsub/index.js';
import { deviceKey, logLineCodec, type LogLine } from '../../internal/routing/index.js';
import { createLogLineHandler, normalizeLogLine } from './handlers.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const good = {
  serial: 'AAD-1123',
  timeMs: NOW - 1000,
  level: 'info',
  message: 'booted',
  fields: { firmware: '1.4.2' },
};

function delivery(body: Uint8Array, serial = 'AAD-1123', redelivered = false): Delivery {
  return {
    body: Buffer.from(body),
    routingKey: deviceKey(serial, 'logs'),
    headers: {},
    messageId: undefined,
    redelivered,
    deliveryCount: 0,
  };
}

function handlerWithWriter() {
  const added: { line: LogLine; redelivered: boolean }[] = [];
  const handler = createLogLineHandler({
    writer: {
      add(line, meta) {
        added.push({ line, redelivered: meta.redelivered });
        return Promise.resolve({ kind: 'ack' });
      },
    },
    now: () => NOW,
  });
  return { handler, added };
}

describe('createLogLineHandler', () => {
  it('hands a good line to the writer and returns its answer', async () => {
    const { handler, added } = handlerWithWriter();
    const outcome = await handler(delivery(logLineCodec.encode(good), 'AAD-1123', true));
    expect(outcome).toEqual({ kind: 'ack' });
    expect(added).toEqual([{ line: { schemaVersion: 1, ...good }, redelivered: true }]);
  });

  it.each([
    ['garbage bytes', Buffer.from([0xff, 0xff, 0xff, 0xff]), 'AAD-1123', /not a valid LogLine/],
    [
      'another schema version',
      logLineCodec.encode({ ...good, schemaVersion: 2 }),
      'AAD-1123',
      /schema_version 2/,
    ],
    ['a bad level', logLineCodec.encode({ ...good, level: 'loud' }), 'AAD-1123', /^level: /],
    [
      'a message too long',
      logLineCodec.encode({ ...good, message: 'x'.repeat(4097) }),
      'AAD-1123',
      /^message: /,
    ],
    ['an unset clock', logLineCodec.encode({ ...good, timeMs: 0 }), 'AAD-1123', /^time_ms: /],
    [
      "another device's serial",
      logLineCodec.encode(good),
      'OTHER-1',
      /^serial: message says AAD-1123 but was published as OTHER-1/,
    ],
  ])('dead-letters %s with the reason', async (_, body, keySerial, reason) => {
    const { handler, added } = handlerWithWriter();
    const outcome = await handler(delivery(body, keySerial));
    expect(outcome.kind).toBe('dead-letter');
    expect(outcome.kind === 'dead-letter' && outcome.reason).toMatch(reason);
    expect(added).toEqual([]);
  });
});

describe('normalizeLogLine', () => {
  it('lowercases the level and replaces NUL, which PostgreSQL cannot store', () => {
    expect(
      normalizeLogLine({
        schemaVersion: 1,
        ...good,
        level: 'WARN',
        message: 'a\0b',
        fields: { 'k\0': 'v\0' },
      }),
    ).toEqual({
      schemaVersion: 1,
      ...good,
      level: 'warn',
      message: 'a\uFFFDb',
      fields: { 'k\uFFFD': 'v\uFFFD' },
    });
  });
});
