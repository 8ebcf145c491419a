// Test doubles for the verbs' own logic (what they print, what exit they cause): captured
// streams, CliDeps over a temp config dir, and a scripted ApiClient. Tests of the HTTP and TLS
// plumbing use a real HTTPS server instead (api-client.test.ts), and the API itself is tested
// for real in iotctl.integration.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ApiClient, HttpClientOptions, RequestOptions } from './api-client.js';
import type { CliDeps, Reader } from './deps.js';
import { ApiResponseError } from './errors.js';
import type { SseEvent } from './sse.js';

export interface Captured {
  write(chunk: string): boolean;
  readonly text: string;
  isTTY?: boolean;
}

export function capture(): Captured {
  let text = '';
  return {
    write(chunk: string) {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
  };
}

export interface Call {
  method: string;
  path: string;
  body?: unknown;
  query?: RequestOptions['query'];
}

type Handler = (call: Call) => unknown;

/** Answers by `METHOD path`; an unscripted request is a 404, as from the API. */
export class FakeClient implements ApiClient {
  readonly calls: Call[] = [];
  readonly routes = new Map<string, Handler>();
  streams: (signal: AbortSignal | undefined) => AsyncGenerator<SseEvent> = async function* () {};
  closed = false;

  /** A handler `(call) => answer` (it may throw), or the answer itself. */
  on(route: string, answer: unknown): this {
    this.routes.set(route, typeof answer === 'function' ? (answer as Handler) : () => answer);
    return this;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so a throwing handler rejects
  async #answer<T>(call: Call, options?: RequestOptions): Promise<T> {
    this.calls.push({ ...call, query: options?.query });
    options?.signal?.throwIfAborted();
    const handler = this.routes.get(`${call.method} ${call.path}`);
    if (!handler) throw new ApiResponseError(404, 'not_found', `${call.path} not found`);
    return handler(call) as T;
  }

  get<T>(path: string, options?: RequestOptions) {
    return this.#answer<T>({ method: 'GET', path }, options);
  }
  post<T>(path: string, body?: unknown, options?: RequestOptions) {
    return this.#answer<T>({ method: 'POST', path, body }, options);
  }
  put<T>(path: string, body: unknown, options?: RequestOptions) {
    return this.#answer<T>({ method: 'PUT', path, body }, options);
  }
  patch<T>(path: string, body: unknown, options?: RequestOptions) {
    return this.#answer<T>({ method: 'PATCH', path, body }, options);
  }
  async delete(path: string, options?: RequestOptions) {
    await this.#answer<void>({ method: 'DELETE', path }, options);
  }
  events(path: string, options?: RequestOptions) {
    this.calls.push({ method: 'EVENTS', path });
    return this.streams(options?.signal);
  }
  close() {
    this.closed = true;
    return Promise.resolve();
  }
}

export interface TestDeps extends CliDeps {
  stdout: Captured;
  stderr: Captured;
  stdin: Reader & PassThrough;
  /** What the program asked connect() for. */
  connected: HttpClientOptions[];
  configHome: string;
  interrupt: AbortController;
}

export function testDeps(
  client: ApiClient = new FakeClient(),
  overrides: Partial<CliDeps> = {},
): TestDeps {
  const configHome = mkdtempSync(join(tmpdir(), 'iotctl-test-'));
  const connected: HttpClientOptions[] = [];
  const interrupt = new AbortController();
  return {
    stdout: capture(),
    stderr: capture(),
    stdin: new PassThrough() as Reader & PassThrough,
    env: { XDG_CONFIG_HOME: configHome, HOME: configHome },
    now: () => new Date('2024-05-01T12:00:00Z'),
    signal: interrupt.signal,
    interrupt,
    connect: (options) => {
      connected.push(options);
      return client;
    },
    pollIntervalMs: 5,
    version: 'test',
    connected,
    configHome,
    ...overrides,
  } as TestDeps;
}

export const NOW = new Date('2024-05-01T12:00:00Z');
export const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
