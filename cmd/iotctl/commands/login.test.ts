import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  defaultConfigPath,
  readConfig,
  writeConfig,
} from '../../../internal/iotctl-config/index.js';
import { ApiResponseError } from '../errors.js';
import { runCli } from '../program.js';
import { FakeClient, testDeps } from '../test-support.js';

const LOGIN = {
  token: 'jwt-new',
  expiresAt: '2024-05-01T13:00:00Z',
  username: 'admin',
  role: 'admin',
  organization: 'default',
};

describe('login and logout', () => {
  it('login --password-stdin stores token, username and address in the context, 0600', async () => {
    const client = new FakeClient().on('POST /auth/login', LOGIN);
    const deps = testDeps(client);
    const path = defaultConfigPath(deps.env);
    await writeConfig(path, {
      currentContext: 'local',
      contexts: { other: { api: 'https://other:1', token: 'keep-me' } },
    });
    deps.stdin.end('correct horse battery\n');

    const code = await runCli(
      ['--api', 'https://localhost:27298', 'login', 'admin', '--password-stdin'],
      deps,
    );

    expect([code, deps.stderr.text]).toEqual([0, '']);
    expect(client.calls).toEqual([
      {
        method: 'POST',
        path: '/auth/login',
        body: { username: 'admin', password: 'correct horse battery' },
        query: undefined,
      },
    ]);
    expect(deps.connected[0]?.token).toBeUndefined(); // no old token sent along
    expect(deps.stdout.text).toBe(
      'logged in to https://localhost:27298 as admin (admin, organization default); ' +
        'context "local", token expires in 1h\n',
    );
    expect(await readConfig(path)).toEqual({
      currentContext: 'local',
      contexts: {
        other: { api: 'https://other:1', token: 'keep-me' },
        local: { api: 'https://localhost:27298', token: 'jwt-new', username: 'admin' },
      },
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);

    expect(await runCli(['logout'], deps)).toBe(0);
    expect((await readConfig(path)).contexts.local).toEqual({
      api: 'https://localhost:27298',
      username: 'admin',
    });
    expect((await readConfig(path)).contexts.other?.token).toBe('keep-me');
  });

  it('--password-stdin without a username is a usage error', async () => {
    const deps = testDeps();
    deps.stdin.end('pw\n');
    expect(await runCli(['--api', 'https://h:1', 'login', '--password-stdin'], deps)).toBe(2);
    expect(deps.stderr.text).toBe(
      'error: --password-stdin needs the username as an argument\n' +
        'usage: iotctl login [options] [username]\n',
    );
  });

  it('without a terminal or --password-stdin it says how to pass the password', async () => {
    const deps = testDeps();
    expect(await runCli(['--api', 'https://h:1', 'login', 'admin'], deps)).toBe(2);
    expect(deps.stderr.text).toMatch(
      /^error: no terminal to ask for the password; pipe it in with --password-stdin\n/,
    );
  });

  it('a wrong password is the API’s message, without the "run iotctl login" hint', async () => {
    const client = new FakeClient().on('POST /auth/login', () => {
      throw new ApiResponseError(401, 'unauthenticated', 'wrong username or password');
    });
    const deps = testDeps(client);
    deps.stdin.end('nope\n');
    expect(await runCli(['--api', 'https://h:1', 'login', 'admin', '--password-stdin'], deps)).toBe(
      1,
    );
    expect(deps.stderr.text).toBe('error: wrong username or password\n');
    expect(deps.connected[0]?.unauthenticatedHint).toBeUndefined();
  });
});
