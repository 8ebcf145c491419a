import { describe, expect, it } from 'vitest';
import { commandCodec, type Command, type CommandAction } from '../../internal/routing/index.js';
import { CommandHandler, type DeviceAck } from './command-handler.js';
import type { FirmwareLogLine } from './firmware.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

function encode(id: string, action: CommandAction, expiresAtMs = NOW + 60_000): Uint8Array {
  return commandCodec.encode({ id, issuedAtMs: NOW - 500, expiresAtMs, action });
}

/** A handler over a pretend sensor that records what it was asked to do. */
function harness(options: { remember?: number; accepting?: boolean } = {}) {
  const applied: string[] = [];
  const acks: DeviceAck[] = [];
  const answered: DeviceAck[] = [];
  const lines: FirmwareLogLine[] = [];
  let clock = NOW;
  const handler = new CommandHandler({
    serial: 'S-1',
    batchIntervalMs: 1000,
    remember: options.remember,
    now: () => clock,
    accepting: () => options.accepting ?? true,
    effects: {
      sleep: () => {
        applied.push('sleep');
        clock += 3; // applying takes time: the ack is stamped afterwards
        return 'measuring stopped';
      },
      awake: () => (applied.push('awake'), 'measuring'),
      setSampleRate: (hz) => (applied.push(`rate ${hz}`), `${hz} Hz from the next boundary`),
    },
    sendAck: (ack) => acks.push(ack),
    log: (line) => lines.push(line),
    onAnswered: (ack) => answered.push(ack),
  });
  return { handler, applied, acks, answered, lines };
}

describe('CommandHandler', () => {
  it.each<[string, Uint8Array, string[], Partial<DeviceAck>, string]>([
    [
      'sleep',
      encode('c-1', { type: 'sleep' }),
      ['sleep'],
      { outcome: 'applied', reason: 'measuring stopped', atMs: NOW + 3 },
      'command c-1 sleep: applied',
    ],
    [
      'a valid rate',
      encode('c-2', { type: 'set_sample_frequency', hz: 200 }),
      ['rate 200'],
      { outcome: 'applied', reason: '200 Hz from the next boundary' },
      'command c-2 set_sample_frequency 200 Hz: applied',
    ],
    [
      'an impossible rate',
      encode('c-3', { type: 'set_sample_frequency', hz: 333.3 }),
      [],
      { outcome: 'rejected', reason: expect.stringContaining('not a whole number') as string },
      'command c-3 set_sample_frequency 333.3 Hz: rejected',
    ],
    [
      'an expired command',
      encode('c-4', { type: 'awake' }, NOW - 1),
      [],
      {
        outcome: 'expired',
        reason: 'expired at 2026-11-22T11:59:59.999Z before the device received it',
      },
      'command c-4 awake: expired',
    ],
  ])('%s: applied as needed, acked once, logged', (_name, payload, applied, ack, message) => {
    const h = harness();
    h.handler.receive(payload);
    expect(h.applied).toEqual(applied);
    expect(h.acks).toEqual([expect.objectContaining({ serial: 'S-1', ...ack })]);
    expect(h.answered).toEqual(h.acks);
    expect(h.lines.map((l) => l.message)).toEqual([message]);
  });

  it('answers a redelivered command again, identically, without applying it twice', () => {
    const h = harness();
    const payload = encode('c-1', { type: 'set_sample_frequency', hz: 200 });
    h.handler.receive(payload);
    h.handler.receive(payload);
    expect(h.applied).toEqual(['rate 200']);
    expect(h.acks).toHaveLength(2);
    expect(h.acks[1]).toEqual(h.acks[0]);
    expect(h.answered).toHaveLength(1); // counted once
    expect(h.lines.map((l) => l.message)).toEqual([
      'command c-1 set_sample_frequency 200 Hz: applied',
      'command c-1 received again: acknowledged as applied again',
    ]);
  });

  it('remembers a bounded number of answers, forgetting the oldest', () => {
    const h = harness({ remember: 2 });
    for (const id of ['a', 'b', 'c', 'a', 'c']) h.handler.receive(encode(id, { type: 'awake' }));
    // 'a' was forgotten when 'c' came, so it is applied again; 'c' is still remembered.
    expect(h.applied).toEqual(['awake', 'awake', 'awake', 'awake']);
    expect(h.answered.map((a) => a.commandId)).toEqual(['a', 'b', 'c', 'a']);
    expect(h.acks.map((a) => a.commandId)).toEqual(['a', 'b', 'c', 'a', 'c']);
  });

  it('rejects everything once the sensor is powering off', () => {
    const h = harness({ accepting: false });
    h.handler.receive(encode('c-1', { type: 'sleep' }));
    expect(h.applied).toEqual([]);
    expect(h.acks).toEqual([
      expect.objectContaining({ outcome: 'rejected', reason: 'the sensor is powering off' }),
    ]);
  });

  it.each<[string, Uint8Array]>([
    ['garbage', Uint8Array.from([0xff, 0xff, 0xff, 0x07])],
    ['another schema version', commandCodec.encode({ ...command(), schemaVersion: 99 })],
    ['a command without an id', commandCodec.encode({ ...command(), id: '' })],
  ])('%s: one error line, nothing applied, no ack', (_name, payload) => {
    const h = harness();
    h.handler.receive(payload);
    expect(h.applied).toEqual([]);
    expect(h.acks).toEqual([]);
    expect(h.lines).toEqual([expect.objectContaining({ level: 'error' })]);
    // and the next good command is handled as usual
    h.handler.receive(encode('c-9', { type: 'sleep' }));
    expect(h.acks).toHaveLength(1);
  });
});

function command(): Omit<Command, 'schemaVersion'> {
  return { id: 'x', issuedAtMs: NOW, expiresAtMs: NOW + 1000, action: { type: 'sleep' } };
}
