import { describe, expect, it } from 'vitest';
import { USAGE, parseOptions } from './options.js';

describe('eval options', () => {
  it.each([
    [['data'], { dir: 'data', output: 'table' }],
    [['data', '-o', 'json'], { dir: 'data', output: 'json' }],
    [['-o', 'table', 'data'], { dir: 'data', output: 'table' }],
  ])('%j', (argv, options) => {
    expect(parseOptions(argv)).toEqual({ kind: 'options', options });
  });

  it.each([
    [[], 'DIR'],
    [['a', 'b'], 'too many arguments'],
    [['data', '-o', 'yaml'], 'table or json'],
    [['data', '--bogus'], '--bogus'],
  ])('%j is a usage error naming %s', (argv, what) => {
    const result = parseOptions(argv);
    expect(result).toMatchObject({ kind: 'exit', code: 2 });
    const lines = result.kind === 'exit' ? result.stderr.trimEnd().split('\n') : [];
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(what);
    expect(lines[1]).toBe(USAGE);
  });

  it('answers --help on stdout with exit code 0', () => {
    const result = parseOptions(['--help']);
    expect(result).toMatchObject({ kind: 'exit', code: 0 });
    expect(result.kind === 'exit' ? result.stdout : '').toContain('DIR');
  });
});
