// Which API, CA and token one run uses. Precedence, most specific first, as kubectl does:
// address: --api, then IOT_API_URL, then the context; token: IOT_API_TOKEN (an API key for
// scripts), then the context's login token. The context is --context or currentContext.
import type { ConfigFile } from '../../internal/iotctl-config/index.js';
import { ContextError } from './errors.js';

export const DEFAULT_CONTEXT = 'default';

export interface GlobalOptions {
  api?: string;
  context?: string;
}

export interface ResolvedContext {
  /** The context's name, whether or not the file has it yet (login creates it). */
  name: string;
  exists: boolean;
  api: string | undefined;
  ca: string | undefined;
  token: string | undefined;
  tokenFrom: 'IOT_API_TOKEN' | 'context' | undefined;
  username: string | undefined;
}

export function resolveContext(
  config: ConfigFile,
  flags: GlobalOptions,
  env: Readonly<Record<string, string | undefined>>,
  options: { mayBeNew?: boolean } = {},
): ResolvedContext {
  const name = flags.context ?? config.currentContext ?? DEFAULT_CONTEXT;
  const entry = config.contexts[name];
  if (!entry && flags.context !== undefined && !options.mayBeNew) {
    const known = Object.keys(config.contexts);
    throw new ContextError(
      `no context "${name}"` + (known.length ? ` (have: ${known.join(', ')})` : ''),
    );
  }
  const envToken = nonEmpty(env.IOT_API_TOKEN);
  const api = nonEmpty(flags.api) ?? nonEmpty(env.IOT_API_URL) ?? entry?.api;
  return {
    name,
    exists: entry !== undefined,
    api: api === undefined ? undefined : normalizeApiUrl(api),
    ca: entry?.ca,
    token: envToken ?? entry?.token,
    tokenFrom: envToken ? 'IOT_API_TOKEN' : entry?.token ? 'context' : undefined,
    username: entry?.username,
  };
}

const nonEmpty = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s);

/**
 * `https://host:port` with no trailing slash. People paste the URL they see in API.md, so a
 * trailing `/api/v1` is accepted and dropped: the client adds it to every path.
 */
export function normalizeApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ContextError(`"${raw}" is not a URL (expected e.g. https://localhost:27298)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ContextError(`"${raw}" must start with https:// (or http://)`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.protocol}//${url.host}${path}`;
}
