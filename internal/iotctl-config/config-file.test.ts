import { mkdtempSync, statSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultConfigPath,
  readConfig,
  updateConfig,
  writeConfig,
  writeContext,
} from './config-file.js';

const tempHome = () => mkdtempSync(join(tmpdir(), 'iotctl-config-'));
const mode = (path: string) => statSync(path).mode & 0o777;

describe('defaultConfigPath', () => {
  it.each([
    [{ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/op' }, '/x/cfg/iotctl/config.json'],
    [{ HOME: '/home/op' }, '/home/op/.config/iotctl/config.json'],
    [{ XDG_CONFIG_HOME: '', HOME: '/home/op' }, '/home/op/.config/iotctl/config.json'],
    // The XDG spec: a relative path is invalid and is ignored.
    [{ XDG_CONFIG_HOME: 'relative', HOME: '/home/op' }, '/home/op/.config/iotctl/config.json'],
  ])('%j → %s', (env, path) => {
    expect(defaultConfigPath(env)).toBe(path);
  });
});

describe('the config file', () => {
  it('is created 0600 in a 0700 directory, currentContext first', async () => {
    const path = defaultConfigPath({ XDG_CONFIG_HOME: tempHome() });
    await writeContext(path, 'local', { api: 'https://localhost:27298', ca: 'PEM' });
    expect(mode(path)).toBe(0o600);
    expect(mode(dirname(path))).toBe(0o700);
    expect(await readFile(path, 'utf8')).toBe(
      JSON.stringify(
        {
          currentContext: 'local',
          contexts: { local: { api: 'https://localhost:27298', ca: 'PEM' } },
        },
        null,
        2,
      ) + '\n',
    );
  });

  it('tightens a file that was readable by others when it rewrites it', async () => {
    const path = join(tempHome(), 'iotctl', 'config.json');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '{"contexts":{}}', { mode: 0o644 });
    await writeConfig(path, await readConfig(path));
    expect(mode(path)).toBe(0o600);
  });

  it('a missing file is an empty config', async () => {
    expect(await readConfig(join(tempHome(), 'nope.json'))).toEqual({ contexts: {} });
  });

  it.each([
    ['not JSON', '{contexts', /is not valid JSON/],
    ['not an object', '[]', /expected a JSON object/],
    ['contexts not an object', '{"contexts": 3}', /contexts must be an object/],
    [
      'a token that is not a string',
      '{"contexts": {"a": {"token": 1}}}',
      /contexts\.a\.token must be a string/,
    ],
  ])('a broken file (%s) is an error naming it', async (_name, text, message) => {
    const path = join(tempHome(), 'config.json');
    await writeFile(path, text);
    await expect(readConfig(path)).rejects.toThrow(message);
    await expect(readConfig(path)).rejects.toThrow(path);
  });

  it('keeps fields it does not know about', async () => {
    const path = join(tempHome(), 'config.json');
    await writeFile(path, JSON.stringify({ contexts: {}, preferences: { color: false } }));
    await updateConfig(path, (c) => c);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      preferences: { color: false },
    });
  });
});

describe('writeContext', () => {
  it('merges: the rewritten context keeps its token, the others keep everything', async () => {
    const path = join(tempHome(), 'config.json');
    await writeConfig(path, {
      currentContext: 'prod',
      contexts: {
        prod: { api: 'https://iot.example.com', token: 'prod-token', username: 'ops' },
        local: {
          api: 'https://localhost:1',
          ca: 'OLD PEM',
          token: 'local-token',
          username: 'admin',
        },
      },
    });

    await writeContext(path, 'local', { api: 'https://localhost:27298', ca: 'NEW PEM' });
    expect(await readConfig(path)).toEqual({
      currentContext: 'prod', // not asked to switch
      contexts: {
        prod: { api: 'https://iot.example.com', token: 'prod-token', username: 'ops' },
        local: {
          api: 'https://localhost:27298',
          ca: 'NEW PEM',
          token: 'local-token',
          username: 'admin',
        },
      },
    });

    await writeContext(path, 'local', { api: 'https://localhost:27298' }, { makeCurrent: true });
    const config = await readConfig(path);
    expect(config.currentContext).toBe('local');
    expect(config.contexts.local).toEqual({
      api: 'https://localhost:27298', // no CA given: the old one is dropped
      token: 'local-token',
      username: 'admin',
    });
  });

  it('the first context of a new file becomes the current one', async () => {
    const path = join(tempHome(), 'config.json');
    await writeContext(path, 'local', { api: 'https://localhost:27298' }, { makeCurrent: false });
    expect((await readConfig(path)).currentContext).toBe('local');
  });
});
