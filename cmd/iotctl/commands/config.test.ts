import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfigPath, readConfig } from '../../../internal/iotctl-config/index.js';
import { runCli } from '../program.js';
import { testDeps } from '../test-support.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('config', () => {
  it('set-context, get-contexts, use-context, current-context', async () => {
    const deps = testDeps();
    const caFile = join(deps.configHome, 'ca.pem');
    writeFileSync(caFile, PEM);
    const run = (...argv: string[]) => runCli(argv, deps);

    expect(
      await run(
        'config',
        'set-context',
        'local',
        '--api',
        'https://localhost:27298',
        '--ca-file',
        caFile,
      ),
    ).toBe(0);
    expect(
      await run('config', 'set-context', 'prod', '--api', 'https://iot.example.com/api/v1'),
    ).toBe(0);
    const path = defaultConfigPath(deps.env);
    expect(await readConfig(path)).toEqual({
      currentContext: 'local',
      contexts: {
        local: { api: 'https://localhost:27298', ca: PEM },
        prod: { api: 'https://iot.example.com' },
      },
    });

    expect(await run('config', 'use-context', 'prod')).toBe(0);
    expect(await run('config', 'current-context')).toBe(0);
    expect(await run('config', 'get-contexts')).toBe(0);
    expect(deps.stdout.text).toContain('prod\n');
    expect(deps.stdout.text).toContain(
      'CURRENT   NAME    API                       USER   LOGGED IN\n' +
        '          local   https://localhost:27298   —      no\n' +
        '*         prod    https://iot.example.com   —      no\n',
    );
    expect(deps.stdout.text).not.toContain('BEGIN CERTIFICATE');

    expect(await run('config', 'use-context', 'staging')).toBe(1);
    expect(deps.stderr.text).toMatch(/^error: no context "staging" in .*config\.json/);
  });

  it('refuses a CA file that is not a PEM certificate', async () => {
    const deps = testDeps();
    const file = join(deps.configHome, 'ca.txt');
    writeFileSync(file, 'hello');
    expect(await runCli(['config', 'set-context', 'x', '--ca-file', file], deps)).toBe(1);
    expect(deps.stderr.text).toBe(`error: ${file} is not a PEM certificate\n`);
  });
});
