// The one place iotctl speaks HTTP: undici with the context's CA, JSON in and out, every
// failure turned into one readable line (the API's own `error.message` when there is one),
// and the Server-Sent Events reader behind `--wait`.
import { Agent, request, type Dispatcher } from 'undici';
import { ApiResponseError, CliError, NetworkError } from './errors.js';
import { SseParser, type SseEvent } from './sse.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  signal?: AbortSignal;
}

/** What the verbs need from the API; tests of the verbs' output hand in a small fake. */
export interface ApiClient {
  get<T>(path: string, options?: RequestOptions): Promise<T>;
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  put<T>(path: string, body: unknown, options?: RequestOptions): Promise<T>;
  patch<T>(path: string, body: unknown, options?: RequestOptions): Promise<T>;
  delete(path: string, options?: RequestOptions): Promise<void>;
  /** A `text/event-stream`; ends when the server ends it. Breaking out closes it. */
  events(path: string, options?: RequestOptions): AsyncGenerator<SseEvent>;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  /** `https://host:port`, no `/api/v1`. */
  api: string;
  ca?: string;
  token?: string;
  /** What to tell the user on 401: where the token came from decides the fix. */
  unauthenticatedHint?: string;
  /** Aborts every request: Ctrl-C. */
  signal?: AbortSignal;
  /** Connect and header timeout of each plain request. */
  timeoutMs?: number;
  userAgent?: string;
}

const API_PREFIX = '/api/v1';
const DEFAULT_TIMEOUT_MS = 30_000;

// TLS verification failures: the fix is always the same (the context's CA), so they get a hint.
const UNTRUSTED_CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

export class HttpApiClient implements ApiClient {
  readonly #options: HttpClientOptions;
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#agent = new Agent({
      connect: { timeout: this.#timeoutMs, ...(options.ca ? { ca: options.ca } : {}) },
    });
  }

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.#json<T>('GET', path, undefined, options);
  }

  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.#json<T>('POST', path, body ?? {}, options);
  }

  put<T>(path: string, body: unknown, options?: RequestOptions): Promise<T> {
    return this.#json<T>('PUT', path, body, options);
  }

  patch<T>(path: string, body: unknown, options?: RequestOptions): Promise<T> {
    return this.#json<T>('PATCH', path, body, options);
  }

  async delete(path: string, options?: RequestOptions): Promise<void> {
    await this.#json<unknown>('DELETE', path, undefined, options);
  }

  async *events(path: string, options: RequestOptions = {}): AsyncGenerator<SseEvent> {
    const signal = this.#signal(options.signal);
    const response = await this.#send('GET', path, undefined, {
      ...options,
      accept: 'text/event-stream',
      // The stream is quiet between status changes; only the caller's --timeout ends it.
      bodyTimeout: 0,
    });
    const parser = new SseParser();
    const decoder = new TextDecoder('utf-8');
    try {
      for await (const chunk of response.body) {
        yield* parser.push(decoder.decode(chunk as Uint8Array, { stream: true }));
      }
      yield* parser.push(decoder.decode());
    } catch (error) {
      throw this.#mapError(error, signal);
    } finally {
      // Reached by `break` in the caller too: free the socket instead of reading to the end.
      response.body.destroy();
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #json<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    const response = await this.#send(method, path, body, options);
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.#mapError(error, this.#signal(options.signal));
    }
    if (response.statusCode === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(
        'BAD_RESPONSE',
        `${this.#options.api} answered ${method} ${path} with something that is not JSON ` +
          '(is that address the iot-api?)',
      );
    }
  }

  async #send(
    method: Dispatcher.HttpMethod,
    path: string,
    body: unknown,
    options: RequestOptions & { accept?: string; bodyTimeout?: number },
  ) {
    const signal = this.#signal(options.signal);
    const headers: Record<string, string> = {
      accept: options.accept ?? 'application/json',
      'user-agent': this.#options.userAgent ?? 'iotctl',
    };
    if (this.#options.token) headers.authorization = `Bearer ${this.#options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await request(this.#url(path, options.query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.#agent,
        signal,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: options.bodyTimeout ?? this.#timeoutMs,
      });
    } catch (error) {
      throw this.#mapError(error, signal);
    }
    if (response.statusCode >= 400) {
      const text = await response.body.text().catch(() => '');
      throw this.#apiError(response.statusCode, text);
    }
    return response;
  }

  #url(path: string, query: Query = {}): string {
    const url = new URL(`${this.#options.api}${API_PREFIX}${path}`);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  #signal(signal: AbortSignal | undefined): AbortSignal | undefined {
    const signals = [this.#options.signal, signal].filter((s) => s !== undefined);
    return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  }

  #apiError(status: number, text: string): ApiResponseError {
    const { code, message } = parseErrorBody(text) ?? {
      code: `http_${status}`,
      message: `${this.#options.api} answered HTTP ${status}`,
    };
    if (status === 401 && this.#options.unauthenticatedHint) {
      return new ApiResponseError(status, code, `${message}; ${this.#options.unauthenticatedHint}`);
    }
    return new ApiResponseError(status, code, message);
  }

  #mapError(error: unknown, signal: AbortSignal | undefined): unknown {
    // Aborted on purpose: the caller knows why (Ctrl-C, --timeout) and says so itself.
    if (signal?.aborted) return signal.reason;
    if (error instanceof CliError) return error;
    return networkError(this.#options.api, error);
  }
}

function parseErrorBody(text: string): { code: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = parsed.error ?? {};
    if (typeof message === 'string' && message !== '') {
      return { code: typeof code === 'string' ? code : 'error', message: oneLine(message) };
    }
  } catch {
    // not the API's error shape (a proxy's HTML page, say): fall back to the status
  }
  return undefined;
}

const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();

/** One line naming the address and what went wrong, with the likely fix where there is one. */
export function networkError(api: string, error: unknown): NetworkError {
  const code = errorCode(error);
  const message = oneLine(error instanceof Error ? error.message : String(error));
  const options = { cause: error };
  if (code === 'ECONNREFUSED') {
    return new NetworkError(
      `cannot reach ${api}: connection refused (is the API running?)`,
      options,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new NetworkError(`cannot reach ${api}: unknown host`, options);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new NetworkError(`cannot reach ${api}: connect timed out`, options);
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new NetworkError(`${api} did not answer in time`, options);
  }
  if (code !== undefined && UNTRUSTED_CERT_CODES.has(code)) {
    return new NetworkError(
      `TLS: ${api} has a certificate this context does not trust (${code}); ` +
        "set the API's CA with 'iotctl config set-context NAME --ca-file FILE'",
      options,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'CERT_HAS_EXPIRED') {
    return new NetworkError(`TLS: ${api}: ${message}`, options);
  }
  return new NetworkError(`cannot reach ${api}: ${message || code || 'unknown error'}`, options);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Happy eyeballs (::1 then 127.0.0.1) fails with an AggregateError of both attempts.
  if (Array.isArray(errors) && errors.length > 0) return errorCode(errors[0]);
  return cause === undefined ? undefined : errorCode(cause);
}
