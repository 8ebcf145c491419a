// The event streams (SSE) iot-api is serving. A stream never ends by itself, so closing the
// server would wait for every client to leave (until the stop deadline): on close they are
// ended instead, and their clients reconnect (iotctl --wait and watch do) to the next instance.
import type { ServerResponse } from 'node:http';

export class OpenStreams {
  private readonly open = new Set<ServerResponse>();

  /** Remembers the stream until it closes. */
  track(res: ServerResponse): void {
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
  }

  /** Ends every stream; each one's own 'close' handling cleans up after it. */
  endAll(): void {
    for (const res of this.open) res.end();
  }
}
