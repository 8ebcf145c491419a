// compose.yaml as the deployment tests read it: its services with the `x-` anchors merged,
// their mounts and environment, and compose's own variable interpolation, so a test sees
// what a container would get from a given .env.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoPath } from './repo.js';

type Scalar = string | number | boolean | null;

export interface ComposeService {
  image?: string;
  hostname?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, Scalar> | string[];
  volumes?: (string | { type?: string; source?: string; target?: string; read_only?: boolean })[];
  ports?: (string | number | { target?: number; published?: string | number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  user?: string;
}

export interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** compose.yaml, anchors and `<<` merges resolved as compose resolves them. */
export function loadCompose(): Compose {
  return parse(readFileSync(repoPath('compose.yaml'), 'utf8'), { merge: true }) as Compose;
}

export function serviceOf(compose: Compose, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`compose.yaml has no service ${name}`);
  return found;
}

export function mountsOf(svc: ComposeService): Mount[] {
  return (svc.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') {
      return {
        source: volume.source ?? '',
        target: volume.target ?? '',
        readOnly: volume.read_only === true,
      };
    }
    const [source = '', target = '', mode = ''] = volume.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

export const isBindMount = (mount: Mount): boolean => /^[./~]/.test(mount.source);

/** The environment as written (before interpolation). */
export function environmentOf(svc: ComposeService): Record<string, string> {
  const env = svc.environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((line): [string, string] => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(env).map(([key, value]): [string, string] => [key, String(value ?? '')]);
  return Object.fromEntries(entries);
}

export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

const REFERENCE = /\$\$|\$\{([A-Za-z_]\w*)((?::?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g;

/** Variables compose interpolates in a value: `${VAR...}` and `$VAR`, not the `$$` escape. */
export function interpolatedVariables(value: string): string[] {
  const names: string[] = [];
  for (const match of value.matchAll(REFERENCE)) {
    const name = match[1] ?? match[4];
    if (name !== undefined) names.push(name);
  }
  return names;
}

/**
 * Compose's interpolation of one value against a .env: `${VAR:-default}`, `${VAR:?error}`
 * (throws, as `docker compose up` refuses), `${VAR}`, `$VAR`, `$$` → `$`.
 */
export function interpolate(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(
    REFERENCE,
    (whole, braced?: string, _tail?: string, argument?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = braced ?? bare ?? '';
      const set = env[name];
      const operator = whole.slice(2 + name.length, 2 + name.length + 2);
      if (set !== undefined && set !== '') return set;
      if (operator.startsWith(':?') || operator.startsWith('?')) {
        throw new Error(`${name}: ${argument ?? 'required'}`);
      }
      if (operator.startsWith(':-') || operator.startsWith('-')) return argument ?? '';
      return '';
    },
  );
}

/** .env.example's variables and their example values. */
export function envExampleVariables(): Map<string, string> {
  const variables = new Map<string, string>();
  for (const line of readFileSync(repoPath('.env.example'), 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined) variables.set(match[1], match[2] ?? '');
  }
  return variables;
}

/** `cmd/<name>` when the command runs one of the platform's commands. */
export function platformCommandOf(command: string | string[] | undefined): string | undefined {
  const words = typeof command === 'string' ? command.split(/\s+/) : (command ?? []);
  const main = words.find((word) => /^cmd\/[a-z-]+\/main\.ts$/.test(word));
  return main === undefined ? undefined : path.posix.dirname(main);
}

/** The broker users' script, as the shell sees it (compose escapes `$` as `$$`). */
export function usersScript(compose: Compose): string {
  const command = serviceOf(compose, 'rabbitmq-users').command;
  if (!Array.isArray(command) || command[0] !== 'bash' || command[1] !== '-c') {
    throw new Error('rabbitmq-users must run ["bash", "-c", <script>]');
  }
  return (command[2] ?? '').replaceAll('$$', '$');
}
