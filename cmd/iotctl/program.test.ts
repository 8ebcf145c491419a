import { describe, expect, it } from 'vitest';
import {
  defaultConfigPath,
  readConfig,
  writeConfig,
  writeContext,
} from '../../internal/iotctl-config/index.js';
import { ApiResponseError } from './errors.js';
import { runCli } from './program.js';
import { FakeClient, testDeps } from './test-support.js';

async function run(argv: string[], deps = testDeps()) {
  const code = await runCli(argv, deps);
  return { code, stdout: deps.stdout.text, stderr: deps.stderr.text, deps };
}

/** A config with a logged-in current context, so verbs get as far as the client. */
async function loggedIn(client = new FakeClient(), env: Record<string, string> = {}) {
  const deps = testDeps(client);
  deps.env = { ...deps.env, ...env };
  const path = defaultConfigPath(deps.env);
  await writeContext(path, 'local', { api: 'https://from-context:1' }, { makeCurrent: true });
  const config = await readConfig(path);
  await writeConfig(path, {
    ...config,
    contexts: { local: { ...config.contexts.local, token: 'context-token', username: 'admin' } },
  });
  return deps;
}

describe('bad usage exits 2 with one error line and the usage line', () => {
  it.each([
    [
      'unknown verb',
      ['frob'],
      /^error: unknown command 'frob'/,
      'usage: iotctl [options] [command]',
    ],
    [
      'unknown flag',
      ['get', 'sensors', '--bogus'],
      /^error: unknown option '--bogus'/,
      'usage: iotctl get sensors [options] [serial]',
    ],
    [
      'unknown resource',
      ['get', 'gadgets'],
      /^error: unknown command 'gadgets'/,
      'usage: iotctl get [options] [command]',
    ],
    [
      'missing argument',
      ['sleep'],
      /^error: missing required argument 'serial'/,
      'usage: iotctl sleep [options] <serial>',
    ],
    [
      'missing HZ',
      ['set-frequency', 'AAD-1123'],
      /missing required argument 'hz'/,
      'usage: iotctl set-frequency [options] <serial> <hz>',
    ],
    [
      'HZ not a number',
      ['set-frequency', 'AAD-1123', 'fast'],
      /invalid for argument 'hz'\. Must be a number of Hz, 1-25600\./,
      'usage: iotctl set-frequency [options] <serial> <hz>',
    ],
    [
      'HZ too high',
      ['set-frequency', 'AAD-1123', '25601'],
      /Must be a number of Hz, 1-25600/,
      'usage: iotctl set-frequency [options] <serial> <hz>',
    ],
    [
      'HZ zero',
      ['changesamplefrequency', 'AAD-1123', '0'],
      /Must be a number of Hz/,
      'usage: iotctl set-frequency [options] <serial> <hz>',
    ],
    [
      'bad serial',
      ['awake', 'no spaces!'],
      /A serial number is 1-32/,
      'usage: iotctl awake [options] <serial>',
    ],
    [
      'bad output format',
      ['get', 'alarms', '-o', 'yaml'],
      /Allowed choices are table, json/,
      'usage: iotctl get alarms [options]',
    ],
    [
      'bad timeout',
      ['sleep', 'AAD-1123', '--wait', '--timeout', '10'],
      /Must be a duration/,
      'usage: iotctl sleep [options] <serial>',
    ],
    [
      'bad expiry',
      ['sleep', 'AAD-1123', '--expires-in', '2d'],
      /Must be a duration/,
      'usage: iotctl sleep [options] <serial>',
    ],
    [
      'expiry too long',
      ['sleep', 'AAD-1123', '--expires-in', '25h'],
      /between 1s and 24h/,
      'usage: iotctl sleep [options] <serial>',
    ],
    [
      'too many arguments',
      ['get', 'sensors', 'A1', 'A2'],
      /too many arguments/,
      'usage: iotctl get sensors [options] [serial]',
    ],
    [
      'bad --api',
      ['--api', 'localhost:1', 'get', 'sensors'],
      /must start with https:\/\//,
      'usage: iotctl [options] [command]',
    ],
    [
      'bad kind',
      ['create', 'target', 'press', '--kind', 'boat'],
      /Allowed choices are fixed, mobile/,
      'usage: iotctl create target [options] <name>',
    ],
    [
      'bad rpm',
      ['create', 'target', 'press', '--rpm', '-5'],
      /argument '-5' is invalid\. Must be revolutions per minute/,
      'usage: iotctl create target [options] <name>',
    ],
    [
      'no none on create',
      ['create', 'target', 'press', '--rpm', 'none'],
      /Must be revolutions per minute/,
      'usage: iotctl create target [options] <name>',
    ],
    [
      'a bearing without pitch',
      ['create', 'target', 'press', '--bearing', 'balls=9,ball-mm=7'],
      /balls, ball-mm and pitch-mm are needed/,
      'usage: iotctl create target [options] <name>',
    ],
    [
      'bad ISO class',
      ['set', 'target', 'press', '--iso-class', 'V'],
      /Allowed choices are group1-rigid, .*, IV, none/,
      'usage: iotctl set target [options] <target>',
    ],
    [
      'bad controller',
      ['set', 'target', 'press', '--controller', 'plc-7'],
      /Must be HOST:PORT/,
      'usage: iotctl set target [options] <target>',
    ],
    [
      'nothing to set',
      ['set', 'target', 'press'],
      /^error: nothing to set: give --rpm, --bearing, --iso-class or --controller/,
      'usage: iotctl set target [options] <target>',
    ],
    [
      'bad --since',
      ['get', 'features', 'AAD-1123', '--since', 'yesterday'],
      /Must be a duration before now/,
      'usage: iotctl get features [options] <serial>',
    ],
    [
      'baseline reset without serial',
      ['baseline', 'reset'],
      /missing required argument 'serial'/,
      'usage: iotctl baseline reset [options] <serial>',
    ],
    [
      'role missing',
      ['create', 'apikey', 'ci'],
      /required option '--role <role>' not specified/,
      'usage: iotctl create apikey [options] <name>',
    ],
    [
      'bad shell',
      ['completion', 'fish'],
      /Allowed choices are bash, zsh/,
      'usage: iotctl completion [options] <shell>',
    ],
  ])('%s', async (_name, argv, message, usage) => {
    const client = new FakeClient();
    const { code, stdout, stderr, deps } = await run(argv, testDeps(client));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(message);
    expect(lines.at(-1)).toBe(usage);
    expect(deps.connected).toEqual([]); // refused before any request
  });

  it('no verb at all prints the help on stderr', async () => {
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: iotctl/);
  });

  it('delete sensor off a terminal needs --yes', async () => {
    const client = new FakeClient().on('DELETE /sensors/AAD-1123', undefined);
    const { code, stderr } = await run(['delete', 'sensor', 'AAD-1123'], await loggedIn(client));
    expect(code).toBe(2);
    expect(stderr).toBe(
      'error: deleting a sensor needs --yes when stdin is not a terminal\n' +
        'usage: iotctl delete sensor [options] <serial>\n',
    );
    expect(client.calls).toEqual([]);
  });
});

describe('help and version exit 0 on stdout', () => {
  it.each([[['--help']], [['help', 'get']], [['get', 'sensors', '--help']], [['--version']]])(
    '%j',
    async (argv) => {
      const { code, stdout, stderr } = await run(argv);
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).not.toBe('');
    },
  );

  it('documents the JSON shape and the exit codes', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).toContain('a JSON array for lists');
    expect(stdout).toContain('2 bad usage');
  });
});

describe('failures exit 1 with one line', () => {
  it('without a token it says to log in, before any request', async () => {
    const { code, stderr, deps } = await run(['--api', 'https://x:1', 'get', 'sensors']);
    expect(code).toBe(1);
    expect(stderr).toBe(`error: not logged in (context "default"); run 'iotctl login'\n`);
    expect(deps.connected).toEqual([]);
  });

  it('without an address it says where to put one', async () => {
    const { code, stderr } = await run(['get', 'sensors']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: no API address for context "default": pass --api URL/);
  });

  it('an unknown --context is named', async () => {
    const { code, stderr } = await run(['--context', 'prod', 'get', 'sensors'], await loggedIn());
    expect(code).toBe(1);
    expect(stderr).toBe('error: no context "prod" (have: local)\n');
  });

  it("prints the API's message", async () => {
    const client = new FakeClient().on('POST /sensors/AAD-1123/commands', () => {
      throw new ApiResponseError(400, 'invalid_request', 'body/sampleFrequencyHz must be <= 25600');
    });
    const { code, stdout, stderr } = await run(
      ['set-frequency', 'AAD-1123', '100'],
      await loggedIn(client),
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: body/sampleFrequencyHz must be <= 25600\n');
    expect(client.closed).toBe(true);
  });

  it('an unexpected bug is still one line, no stack', async () => {
    const client = new FakeClient().on('GET /sensors', () => {
      throw new TypeError('boom\n    at somewhere.ts:1');
    });
    const { code, stderr } = await run(['get', 'sensors'], await loggedIn(client));
    expect(code).toBe(1);
    expect(stderr).toBe('error: TypeError: boom\n');
  });
});

describe('which API and token a run uses', () => {
  it.each([
    ['the context', [], {}, 'https://from-context:1', 'context-token'],
    [
      'IOT_API_URL over the context',
      [],
      { IOT_API_URL: 'https://from-env:2' },
      'https://from-env:2',
      'context-token',
    ],
    [
      '--api over IOT_API_URL',
      ['--api', 'https://from-flag:3/api/v1/'],
      { IOT_API_URL: 'https://from-env:2' },
      'https://from-flag:3',
      'context-token',
    ],
    [
      '--api after the verb',
      ['get', 'sensors', '--api', 'https://late:4'],
      {},
      'https://late:4',
      'context-token',
    ],
    [
      'IOT_API_TOKEN over the login token',
      [],
      { IOT_API_TOKEN: 'iot_key.secret' },
      'https://from-context:1',
      'iot_key.secret',
    ],
  ] as [string, string[], Record<string, string>, string, string][])(
    '%s',
    async (_name, flags, env, api, token) => {
      const client = new FakeClient().on('GET /sensors', { items: [] });
      const deps = await loggedIn(client, env);
      const argv = flags.includes('get') ? flags : [...flags, 'get', 'sensors'];
      const { code } = await run(argv, deps);
      expect(code).toBe(0);
      expect(deps.connected).toHaveLength(1);
      expect(deps.connected[0]).toMatchObject({ api, token });
    },
  );

  it('the 401 hint names IOT_API_TOKEN when that is where the token came from', async () => {
    const deps = await loggedIn(new FakeClient().on('GET /sensors', { items: [] }), {
      IOT_API_TOKEN: 'iot_x.y',
    });
    await run(['get', 'sensors'], deps);
    expect(deps.connected[0]?.unauthenticatedHint).toBe('check IOT_API_TOKEN');
  });
});
