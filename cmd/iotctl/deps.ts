// What iotctl needs from the outside world, handed in by main.ts (the real process) or by a
// test (strings, a temp config dir, a server on port 0). Nothing below main.ts reads
// process.* itself.
import type { ApiClient, HttpClientOptions } from './api-client.js';

export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Reader extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface CliDeps {
  stdout: Writer;
  stderr: Writer;
  stdin: Reader;
  env: Env;
  now: () => Date;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Opens the HTTP client for one run. */
  connect: (options: HttpClientOptions) => ApiClient;
  /** How often `logs -f` and `watch` poll; tests shorten it. */
  pollIntervalMs?: number;
  version?: string;
}

/** What a verb's run function gets: the streams, the API, the clock and Ctrl-C. */
export interface RunDeps {
  stdout: Writer;
  stderr: Writer;
  client: ApiClient;
  now: () => Date;
  signal: AbortSignal;
}
