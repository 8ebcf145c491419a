import { describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../internal/iotctl-config/index.js';
import { normalizeApiUrl, resolveContext } from './context.js';

const config: ConfigFile = {
  currentContext: 'local',
  contexts: {
    local: { api: 'https://localhost:27298', ca: 'PEM', token: 'jwt-local', username: 'admin' },
    prod: { api: 'https://iot.example.com', token: 'jwt-prod' },
  },
};

describe('resolveContext', () => {
  it.each([
    ['the current context', {}, {}, 'local', 'https://localhost:27298', 'jwt-local'],
    ['--context', { context: 'prod' }, {}, 'prod', 'https://iot.example.com', 'jwt-prod'],
    [
      'IOT_API_URL over the context',
      {},
      { IOT_API_URL: 'https://env:1' },
      'local',
      'https://env:1',
      'jwt-local',
    ],
    [
      '--api over IOT_API_URL',
      { api: 'https://flag:2' },
      { IOT_API_URL: 'https://env:1' },
      'local',
      'https://flag:2',
      'jwt-local',
    ],
    [
      'an empty IOT_API_URL is unset',
      {},
      { IOT_API_URL: ' ' },
      'local',
      'https://localhost:27298',
      'jwt-local',
    ],
    [
      'IOT_API_TOKEN over the login token',
      { context: 'prod' },
      { IOT_API_TOKEN: 'iot_a.b' },
      'prod',
      'https://iot.example.com',
      'iot_a.b',
    ],
  ])('%s', (_name, flags, env, name, api, token) => {
    const resolved = resolveContext(config, flags, env);
    expect(resolved).toMatchObject({ name, api, token });
  });

  it('says where the token came from', () => {
    expect(resolveContext(config, {}, {}).tokenFrom).toBe('context');
    expect(resolveContext(config, {}, { IOT_API_TOKEN: 'k' }).tokenFrom).toBe('IOT_API_TOKEN');
    expect(resolveContext({ contexts: {} }, {}, {}).tokenFrom).toBeUndefined();
  });

  it('with no file at all, the context is "default" with nothing in it', () => {
    expect(resolveContext({ contexts: {} }, {}, {})).toEqual({
      name: 'default',
      exists: false,
      api: undefined,
      ca: undefined,
      token: undefined,
      tokenFrom: undefined,
      username: undefined,
    });
  });

  it('an unknown --context is an error, except for login, which creates it', () => {
    expect(() => resolveContext(config, { context: 'staging' }, {})).toThrow(
      'no context "staging" (have: local, prod)',
    );
    expect(resolveContext(config, { context: 'staging' }, {}, { mayBeNew: true })).toMatchObject({
      name: 'staging',
      exists: false,
    });
  });
});

describe('normalizeApiUrl', () => {
  it.each([
    ['https://localhost:27298', 'https://localhost:27298'],
    ['https://localhost:27298/', 'https://localhost:27298'],
    ['https://localhost:27298/api/v1/', 'https://localhost:27298'],
    ['https://example.com/iot/api/v1', 'https://example.com/iot'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['  https://h:1  ', 'https://h:1'],
  ])('%s → %s', (raw, url) => expect(normalizeApiUrl(raw)).toBe(url));

  it.each(['localhost:27298', 'ftp://h', 'not a url', ''])('%j is refused', (raw) =>
    expect(() => normalizeApiUrl(raw)).toThrow(/https:\/\/|not a URL/),
  );
});
