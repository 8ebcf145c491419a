// A Server-Sent Events parser, per the WHATWG "event stream interpretation" rules. It is fed
// text as it arrives, so it must not assume chunk boundaries fall on line or event boundaries:
// a network read can end mid-line, mid-field, or between the CR and LF of one line ending.

export interface SseEvent {
  /** `event:` field; `message` when absent. */
  type: string;
  /** `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen so far (the spec carries it across events). */
  id: string;
  /** A `retry:` the server asked for, in ms, if this event carried one. */
  retry?: number;
}

export class SseParser {
  #buffer = '';
  #lastCharWasCr = false;
  #started = false;
  #type = '';
  #data: string[] = [];
  #id = '';
  #retry: number | undefined;

  /** Feed decoded text; returns the events completed by it, in order. */
  push(text: string): SseEvent[] {
    if (text.length === 0) return [];
    if (!this.#started) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR ending the previous chunk already ended its line; an LF right after it is the rest
    // of that CRLF, not an empty line (which would dispatch the event too early).
    if (this.#lastCharWasCr && text.startsWith('\n')) text = text.slice(1);
    this.#lastCharWasCr = text.endsWith('\r');

    this.#buffer += text;
    const events: SseEvent[] = [];
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    let match: RegExpExecArray | null;
    while ((match = lineEnd.exec(this.#buffer)) !== null) {
      // A lone CR at the very end may be the first half of a CRLF still in flight; it ends the
      // line either way, and #lastCharWasCr drops the LF if it comes.
      const line = this.#buffer.slice(start, match.index);
      start = match.index + match[0].length;
      const event = this.#line(line);
      if (event) events.push(event);
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined; // a comment: servers send these as heartbeats
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#type = value;
        break;
      case 'data':
        this.#data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.#retry = Number(value);
        break;
      default: // unknown fields are ignored, as the spec says
    }
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const hasData = this.#data.length > 0;
    const event: SseEvent = {
      type: this.#type || 'message',
      data: this.#data.join('\n'),
      id: this.#id,
    };
    if (this.#retry !== undefined) event.retry = this.#retry;
    this.#type = '';
    this.#data = [];
    this.#retry = undefined;
    return hasData ? event : undefined;
  }
}
