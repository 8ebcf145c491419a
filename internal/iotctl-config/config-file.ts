// iotctl's kubectl-like config file: `$XDG_CONFIG_HOME/iotctl/config.json`, one context per
// API the operator talks to, each with its address, CA and token. iotctl reads and writes it;
// `npm start` and the end-to-end tests write a context into it, as kind does for kubectl. The
// token is a credential, so the file is written 0600 inside a 0700 directory, and always whole
// (write a temp file, rename), so a crash mid-write never leaves half a file behind.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { ConfigFileError } from './errors.js';

export interface ContextEntry {
  /** `https://host:port`, without `/api/v1`. */
  api?: string;
  /** PEM of the CA that signed the API's certificate (a self-signed local stack). */
  ca?: string;
  token?: string;
  username?: string;
}

export interface ConfigFile {
  currentContext?: string;
  contexts: Record<string, ContextEntry>;
}

export interface Endpoint {
  api: string;
  ca?: string;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** XDG base-directory rules: a relative XDG_CONFIG_HOME is ignored, as the spec says. */
export function defaultConfigPath(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'iotctl', 'config.json');
}

/** A missing file is an empty config; a broken one is an error naming the file. */
export async function readConfig(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw new ConfigFileError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(`${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return checkShape(raw, path);
}

function checkShape(raw: unknown, path: string): ConfigFile {
  if (!isObject(raw)) throw new ConfigFileError(`${path}: expected a JSON object`);
  const { currentContext, contexts = {} } = raw;
  if (currentContext !== undefined && typeof currentContext !== 'string') {
    throw new ConfigFileError(`${path}: currentContext must be a string`);
  }
  if (!isObject(contexts)) throw new ConfigFileError(`${path}: contexts must be an object`);
  for (const [name, entry] of Object.entries(contexts)) {
    if (!isObject(entry)) throw new ConfigFileError(`${path}: context "${name}" must be an object`);
    for (const field of ['api', 'ca', 'token', 'username'] as const) {
      if (entry[field] !== undefined && typeof entry[field] !== 'string') {
        throw new ConfigFileError(`${path}: contexts.${name}.${field} must be a string`);
      }
    }
  }
  // Unknown fields are kept as they are, so an older iotctl does not strip a newer one's.
  return { ...raw, contexts } as ConfigFile;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function writeConfig(path: string, config: ConfigFile): Promise<void> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await chmod(dir, DIR_MODE);
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    const { currentContext, contexts, ...rest } = config;
    const ordered = { currentContext, contexts, ...rest }; // the switch first, as people read it
    await writeFile(temp, `${JSON.stringify(ordered, null, 2)}\n`, { mode: FILE_MODE });
    // writeFile's mode is filtered by the umask; chmod makes it exactly 0600 either way.
    await chmod(temp, FILE_MODE);
    await rename(temp, path);
  } catch (error) {
    throw new ConfigFileError(`cannot write ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Read, change, write back. Concurrent iotctl runs are last-writer-wins, as with kubectl. */
export async function updateConfig(
  path: string,
  change: (config: ConfigFile) => ConfigFile,
): Promise<ConfigFile> {
  const next = change(await readConfig(path));
  await writeConfig(path, next);
  return next;
}

/**
 * Points context `name` at an API, keeping its token and username and every other context
 * untouched: the local stack calls this on every start, and must not log the operator out.
 * `ca` absent removes a CA stored earlier (the endpoint is then trusted by the system CAs).
 */
export async function writeContext(
  path: string,
  name: string,
  endpoint: Endpoint,
  options: { makeCurrent?: boolean } = {},
): Promise<void> {
  await updateConfig(path, (config) => {
    const { ca: _oldCa, ...kept } = config.contexts[name] ?? {};
    const entry: ContextEntry = { ...kept, api: endpoint.api };
    if (endpoint.ca !== undefined) entry.ca = endpoint.ca;
    return {
      ...config,
      currentContext:
        options.makeCurrent || config.currentContext === undefined ? name : config.currentContext,
      contexts: { ...config.contexts, [name]: entry },
    };
  });
}
