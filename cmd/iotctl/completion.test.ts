// The generated scripts, and the bash one run for real: a bash is on every machine that runs
// the local stack. The zsh one runs where zsh is installed, with compadd and _describe stubbed
// to print what they were offered.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bashCompletion, zshCompletion } from './completion.js';
import { buildProgram } from './program.js';
import { testDeps } from './test-support.js';

const program = buildProgram(testDeps());
const hasZsh = (() => {
  try {
    execFileSync('zsh', ['--version']);
    return true;
  } catch {
    return false;
  }
})();
const bash = bashCompletion(program);
const zsh = zshCompletion(program);

const VERBS = [
  'login',
  'logout',
  'get',
  'sleep',
  'awake',
  'set-frequency',
  'changesamplefrequency',
  'create',
  'deadletters',
  'assign',
  'unassign',
  'delete',
  'rotate-credentials',
  'logs',
  'watch',
  'features',
  'alarms',
  'baseline',
  'set',
  'config',
  'completion',
];

// A stand-in iotctl for the dynamic part: `__complete serial` lists two sensors.
const dir = mkdtempSync(join(tmpdir(), 'iotctl-completion-'));
const fakeIotctl = join(dir, 'iotctl');
writeFileSync(
  fakeIotctl,
  '#!/bin/sh\ncase "$2" in serial) printf "AAD-1123\\nTRUCK-7\\n" ;; context) echo local ;; target) echo press-1 ;; esac\n',
);
chmodSync(fakeIotctl, 0o755);

/** What bash offers for the words typed so far (the last one is being completed). */
function complete(words: string[]): string[] {
  const script = `${bash}
COMP_WORDS=(${[fakeIotctl, ...words].map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${words.length}
_iotctl
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '');
}

describe('completion scripts', () => {
  it.each([
    ['bash', bash],
    ['zsh', zsh],
  ])('%s names every verb and every get resource', (_shell, script) => {
    for (const word of [...VERBS, 'sensors', 'targets', 'commands', 'alarms', 'apikeys']) {
      expect(script).toContain(word);
    }
  });

  it('bash: the script parses', () => {
    execFileSync('bash', ['-n'], { input: bash });
  });

  it.skipIf(!hasZsh)('zsh: the script parses', () => {
    execFileSync('zsh', ['-n'], { input: zsh });
  });
});

describe('bash completes', () => {
  it.each([
    ['verbs', [''], VERBS],
    ['a verb prefix', ['se'], ['set', 'set-frequency']],
    [
      'get resources',
      ['get', ''],
      [
        'sensors',
        'sensor',
        'targets',
        'target',
        'commands',
        'command',
        'deadletters',
        'recompute',
        'features',
        'feature',
        'alarms',
        'alarm',
        'rules',
        'rule',
        'fleet',
        'apikeys',
        'apikey',
        'api-keys',
        'accounts',
        'account',
      ],
    ],
    [
      'after a global flag and its value',
      ['--context', 'local', 'get', 'sen'],
      ['sensors', 'sensor'],
    ],
    ['serials for a sensor verb', ['sleep', ''], ['AAD-1123', 'TRUCK-7']],
    ['serials after get sensor', ['get', 'sensor', 'TR'], ['TRUCK-7']],
    ['the target after the serial', ['assign', 'AAD-1123', ''], ['press-1']],
    ['serials for features', ['get', 'features', ''], ['AAD-1123', 'TRUCK-7']],
    ['serials for a baseline reset', ['baseline', 'reset', 'A'], ['AAD-1123']],
    ['targets to set', ['set', 'target', ''], ['press-1']],
    [
      '--iso-class values',
      ['set', 'target', 'press-1', '--iso-class', 'group1'],
      ['group1-rigid', 'group1-flexible'],
    ],
    ['nothing for HZ', ['set-frequency', 'AAD-1123', ''], []],
    ['-o values', ['get', 'sensors', '-o', ''], ['table', 'json']],
    ['--kind values', ['create', 'target', 'press', '--kind', ''], ['fixed', 'mobile']],
    ['--role values', ['create', 'apikey', 'ci', '--role', 'o'], ['operator']],
    ['contexts', ['config', 'use-context', ''], ['local']],
    ['--context values', ['--context', ''], ['local']],
    ['shells', ['completion', ''], ['bash', 'zsh']],
    ['the hidden __complete is not offered', ['__'], []],
  ])('%s', (_name, words, expected) => {
    expect(complete(words).sort()).toEqual([...expected].sort());
  });

  it('flags of the verb being typed, and the global ones', () => {
    const flags = complete(['sleep', 'AAD-1123', '--']);
    expect(flags).toEqual(
      expect.arrayContaining([
        '--wait',
        '--timeout',
        '--expires-in',
        '--output',
        '--api',
        '--context',
        '--help',
      ]),
    );
    expect(flags).not.toContain('--follow');
    expect(complete(['logs', 'AAD-1123', '-'])).toEqual(expect.arrayContaining(['-f', '--follow']));
  });
});

/** What the zsh function offers: compadd and _describe print their candidates. */
function completeZsh(words: string[]): string[] {
  const harness = `compdef() { :; }
compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
_describe() { local -a offered; offered=("\${(@P)4}"); print -l -- "\${offered[@]%%:*}"; }
${zsh}
words=(${[fakeIotctl, ...words].map((w) => `'${w}'`).join(' ')})
CURRENT=\${#words}
_iotctl`;
  const out = execFileSync('zsh', ['-f', '-c', harness], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '');
}

describe.skipIf(!hasZsh)('zsh completes', () => {
  it.each([
    ['verbs', [''], VERBS],
    [
      'get resources',
      ['get', ''],
      [
        'sensors',
        'sensor',
        'targets',
        'target',
        'commands',
        'command',
        'features',
        'feature',
        'alarms',
        'alarm',
        'apikeys',
        'apikey',
        'api-keys',
        'accounts',
        'account',
      ],
    ],
    ['serials', ['watch', ''], ['AAD-1123', 'TRUCK-7']],
    ['-o values', ['get', 'alarms', '-o', ''], ['table', 'json']],
    ['shells', ['completion', ''], ['bash', 'zsh']],
    ['--context values', ['--context', ''], ['local']],
  ])('%s', (_name, words, expected) => {
    expect(completeZsh(words).sort()).toEqual([...expected].sort());
  });
});
