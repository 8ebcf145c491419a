// Reads the migrations directory: `NNNN_snake_name.sql` files in version order, each with its
// sha256 and the extensions its `-- requires:` header names. Pure file handling, no database.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationFileError } from './errors.js';

/** Where the schema's migrations live. */
export const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface MigrationFile {
  /** The NNNN prefix as a number. */
  readonly version: number;
  /** The file name, e.g. `0004_sensor_measurement.sql`: what errors and summaries show. */
  readonly name: string;
  readonly sql: string;
  /** sha256 of the file's bytes, hex. */
  readonly checksum: string;
  /** Extensions from the `-- requires:` header, lowercased; empty when there is none. */
  readonly requires: readonly string[];
}

const FILE_NAME = /^(\d{4})_[a-z0-9]+(?:_[a-z0-9]+)*\.sql$/;
const REQUIRES = /^--\s*requires:(.*)$/i;
const EXTENSION_NAME = /^[a-z0-9_]+$/;

/**
 * Extensions named by a `-- requires: a, b` line in the file's leading comment block (the
 * lines before the first statement). Throws on a malformed name.
 */
export function parseRequires(file: string, sql: string): string[] {
  const requires: string[] = [];
  for (const raw of sql.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    const match = REQUIRES.exec(line);
    if (!match) continue;
    for (const item of (match[1] ?? '').split(',')) {
      const name = item.trim().toLowerCase();
      if (name === '') continue;
      if (!EXTENSION_NAME.test(name)) {
        throw new MigrationFileError(file, `bad extension name "${name}" in its requires header`);
      }
      requires.push(name);
    }
  }
  return requires;
}

export function sha256(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Every migration in `dir`, sorted by version. Files not ending in `.sql` are ignored (a
 * README may sit beside them); a `.sql` file with a bad name or a duplicate version is an error
 * rather than silently skipped.
 */
export async function readMigrationFiles(dir: string = migrationsDir): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  const seen = new Map<number, string>();
  for (const name of names) {
    const match = FILE_NAME.exec(name);
    if (!match) {
      throw new MigrationFileError(name, 'name must look like 0001_snake_case_name.sql');
    }
    const version = Number(match[1]);
    const other = seen.get(version);
    if (other !== undefined) {
      throw new MigrationFileError(name, `version ${version} is also used by ${other}`);
    }
    seen.set(version, name);
    const bytes = await readFile(path.join(dir, name));
    const sql = bytes.toString('utf8');
    files.push({ version, name, sql, checksum: sha256(bytes), requires: parseRequires(name, sql) });
  }
  return files;
}
