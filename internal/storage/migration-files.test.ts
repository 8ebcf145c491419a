import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationFileError } from './errors.js';
import { parseRequires, readMigrationFiles, sha256 } from './migration-files.js';

describe('parseRequires', () => {
  it.each([
    ['no header', 'CREATE TABLE t ();', []],
    ['one extension', '-- requires: postgis\nCREATE TABLE t ();', ['postgis']],
    [
      'a list, any case',
      '--Requires: PostGIS , timescaledb,\nSELECT 1;',
      ['postgis', 'timescaledb'],
    ],
    ['below other comments', '-- Why: maps.\n\n-- requires: postgis\nSELECT 1;', ['postgis']],
    ['not after the first statement', 'SELECT 1;\n-- requires: postgis\n', []],
    ['not inside a longer comment line', '-- it requires: postgis\nSELECT 1;', []],
  ])('%s', (_label, sql, expected) => {
    expect(parseRequires('0001_x.sql', sql)).toEqual(expected);
  });

  it('refuses a malformed extension name', () => {
    expect(() => parseRequires('0001_x.sql', '-- requires: post gis\n')).toThrow(
      MigrationFileError,
    );
    expect(() => parseRequires('0001_x.sql', '-- requires: post gis\n')).toThrow(/post gis/);
  });
});

describe('readMigrationFiles', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'iot-migration-files-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sorts by version, checksums the bytes and ignores non-SQL files', async () => {
    await writeFile(path.join(dir, '0002_second.sql'), 'SELECT 2;');
    await writeFile(path.join(dir, '0001_first.sql'), '-- requires: postgis\nSELECT 1;');
    await writeFile(path.join(dir, 'README.md'), 'notes');
    const files = await readMigrationFiles(dir);
    expect(files.map(({ version, name, requires }) => ({ version, name, requires }))).toEqual([
      { version: 1, name: '0001_first.sql', requires: ['postgis'] },
      { version: 2, name: '0002_second.sql', requires: [] },
    ]);
    expect(files[1]?.checksum).toBe(sha256('SELECT 2;'));
  });

  it.each([
    ['1_short.sql', 'name must look like'],
    ['0001-dashes.sql', 'name must look like'],
    ['0001_CamelCase.sql', 'name must look like'],
    ['0001_trailing_.sql', 'name must look like'],
  ])('refuses the file name %s', async (name, message) => {
    await writeFile(path.join(dir, name), 'SELECT 1;');
    await expect(readMigrationFiles(dir)).rejects.toThrow(message);
  });

  it('refuses two files with one version', async () => {
    await writeFile(path.join(dir, '0001_a.sql'), 'SELECT 1;');
    await writeFile(path.join(dir, '0001_b.sql'), 'SELECT 1;');
    await expect(readMigrationFiles(dir)).rejects.toMatchObject({
      code: 'MIGRATION_FILE_INVALID',
      file: '0001_b.sql',
    });
  });

  it('finds the schema in migrationsDir', async () => {
    const files = await readMigrationFiles();
    expect(files[0]?.name).toBe('0001_timescaledb.sql');
  });
});
