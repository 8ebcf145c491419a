import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse.js';

const command = (status: string) => JSON.stringify({ id: 'c1', status });

/** The whole stream through one parser, cut into the given pieces. */
function parse(chunks: string[]): SseEvent[] {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.push(c));
}

const STREAM =
  ': connected\n\n' +
  `event: command\ndata: ${command('sent')}\n\n` +
  ':heartbeat\n\n' +
  `event: command\r\nid: 7\r\ndata: ${command('applied')}\r\n\r\n`;

const EXPECTED: SseEvent[] = [
  { type: 'command', data: command('sent'), id: '' },
  { type: 'command', data: command('applied'), id: '7' },
];

describe('SseParser', () => {
  it('reads a whole stream in one chunk', () => {
    expect(parse([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events wherever the network cuts the stream in two', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      expect(parse([STREAM.slice(0, cut), STREAM.slice(cut)]), `cut at ${cut}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events one character at a time (CR and LF of one CRLF apart)', () => {
    expect(parse([...STREAM])).toEqual(EXPECTED);
  });

  it.each([
    ['comments and heartbeats only', ': hi\n\n:\n\n', []],
    ['an event without data is not dispatched', 'event: command\n\n', []],
    ['no event field is a "message"', 'data: x\n\n', [{ type: 'message', data: 'x', id: '' }]],
    [
      'multi-line data joins with \\n',
      'data: a\ndata:b\ndata\n\n',
      [{ type: 'message', data: 'a\nb\n', id: '' }],
    ],
    [
      'only one space after the colon is dropped',
      'data:  two\n\n',
      [{ type: 'message', data: ' two', id: '' }],
    ],
    [
      'bare CR line endings',
      'event: command\rdata: x\r\r',
      [{ type: 'command', data: 'x', id: '' }],
    ],
    ['a leading BOM', '\uFEFFdata: x\n\n', [{ type: 'message', data: 'x', id: '' }]],
    [
      'unknown fields are ignored',
      'foo: bar\ndata: x\n\n',
      [{ type: 'message', data: 'x', id: '' }],
    ],
    [
      'retry is passed on',
      'retry: 3000\ndata: x\n\n',
      [{ type: 'message', data: 'x', id: '', retry: 3000 }],
    ],
    ['an unfinished event at the end is held back', 'data: x\n', []],
    [
      'the id carries over to later events, the type does not',
      'id: 1\nevent: command\ndata: a\n\ndata: b\n\n',
      [
        { type: 'command', data: 'a', id: '1' },
        { type: 'message', data: 'b', id: '1' },
      ],
    ],
  ])('%s', (_name, stream, events) => {
    expect(parse([stream])).toEqual(events);
  });

  it('holds a partial line until the rest arrives', () => {
    const parser = new SseParser();
    expect(parser.push('event: comm')).toEqual([]);
    expect(parser.push('and\ndata: {"id":')).toEqual([]);
    expect(parser.push('"c1"}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ type: 'command', data: '{"id":"c1"}', id: '' }]);
  });
});
