// The event streams (SSE) iot-api is serving. A stream never ends by itself, so closing the
// server would wait for every client to leave (until the stop deadline): on close they are
// ended instead, and their clients reconnect (iotctl --wait and watch do) to the next instance.
// A stream whose handler was still reading the database when closing began, or that arrives
// on a kept-alive connection afterwards, is refused: it would otherwise hold the close open.
import type { ServerResponse } from 'node:http';
import { ApiError } from './errors.js';

export class OpenStreams {
  private readonly open = new Set<ServerResponse>();
  private closing = false;

  /**
   * Remembers the stream until it closes. Throws a 503 (clients retry it) once the server
   * is closing; call it before hijacking the reply, so the error is answered normally.
   */
  track(res: ServerResponse): void {
    if (this.closing) throw new ApiError('unavailable', 'iot-api is stopping; retry shortly');
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
  }

  /** Ends every stream and refuses new ones; each one's 'close' handling cleans up after it. */
  endAll(): void {
    this.closing = true;
    for (const res of this.open) res.end();
  }
}
