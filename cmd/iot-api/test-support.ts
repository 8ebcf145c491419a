// iot-api's tests talk to a real iot-api over real TLS, with the local stack's CA: the service
// started in this process, and a small HTTP client for it. (Tests of other folders start
// cmd/iot-api/main.ts as a process instead: utils/test/processes.ts.)
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { Agent, request } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { required, testLogger } from '../../utils/test/brokers.js';
import { testPool } from '../../utils/test/database.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import { loadApiConfig } from './config.js';
import { startApiService, type ApiService } from './service.js';

/** iot-api in this process, on a free port, over the stack's TLS: `https://localhost:<port>`. */
export async function startTestApiService(): Promise<{ service: ApiService; url: string }> {
  const config = loadApiConfig({
    ...stackEnv(),
    IOT_API_PORT: '0',
    IOT_API_HOST: '127.0.0.1',
    IOT_LOG_LEVEL: 'silent',
  });
  const service = await startApiService(
    {
      ...config,
      https: { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) },
      caPem: config.caFile && readFileSync(config.caFile, 'utf8'),
    },
    testLogger,
  );
  return { service, url: `https://localhost:${service.port}` };
}

export interface ApiResponse {
  status: number;
  body: unknown;
  /** The body as JSON of the platform's error shape, for assertions. */
  error?: { code: string; message: string };
  headers: Record<string, string | string[] | undefined>;
}

export class TestApi {
  readonly dispatcher: Agent;

  /** `localAddress`: the loopback address to call from (127.0.0.2 …), as another client. */
  constructor(
    readonly baseUrl: string,
    options: { localAddress?: string } = {},
  ) {
    this.dispatcher = new Agent({
      connect: { ca: readFileSync(required(stackEnv(), 'IOT_TLS_CA_FILE')) },
      localAddress: options.localAddress,
    });
  }

  async call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    options: {
      token?: string;
      json?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (options.raw !== undefined) body = options.raw;
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await request(`${this.baseUrl}${path}`, {
      method,
      headers,
      body,
      dispatcher: this.dispatcher,
    });
    const text = await res.body.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    const error = (parsed as { error?: ApiResponse['error'] } | undefined)?.error;
    return { status: res.statusCode, body: parsed, error, headers: res.headers };
  }

  /** Reads a server-sent event stream to its end: the `data` of each `command` event. */
  async events(path: string, token: string): Promise<unknown[]> {
    const res = await request(`${this.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      dispatcher: this.dispatcher,
    });
    if (res.statusCode !== 200)
      throw new Error(`events: ${res.statusCode} ${await res.body.text()}`);
    const text = await res.body.text();
    return text
      .split('\n\n')
      .filter((block) => block.includes('event: command'))
      .map((block) => JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as unknown);
  }

  /** A token; `organization` omitted, the default organization's account. */
  async login(username: string, password: string, organization?: string): Promise<string> {
    const res = await this.call('POST', '/api/v1/auth/login', {
      json: { organization, username, password },
    });
    if (res.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(res.body)}`);
    return (res.body as { token: string }).token;
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

/** iot-api in this process, a client for it, a database pool and the stack admin's token. */
export async function startAdminSession(): Promise<{
  service: ApiService;
  api: TestApi;
  pool: pg.Pool;
  admin: string;
  close(): Promise<void>;
}> {
  const env = stackEnv();
  const { service, url } = await startTestApiService();
  const api = new TestApi(url);
  const pool = testPool();
  const admin = await api.login(
    required(env, 'IOT_ADMIN_USERNAME'),
    required(env, 'IOT_ADMIN_PASSWORD'),
  );
  return {
    service,
    api,
    pool,
    admin,
    async close() {
      await service.close();
      await api.close();
      await pool.end();
    },
  };
}

export type AdminSession = Awaited<ReturnType<typeof startAdminSession>>;

/**
 * An admin session for one test file: started before its tests, closed after them. The
 * fields are there once beforeAll ran (inside tests and hooks).
 */
export function useAdminSession(): AdminSession {
  const session = {} as AdminSession;
  beforeAll(async () => {
    Object.assign(session, await startAdminSession());
  });
  afterAll(() => session.close?.());
  return session;
}
