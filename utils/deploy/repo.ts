// Paths and files of the checkout, for the deployment tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const repoPath = (file: string): string => path.join(ROOT, file);

export const readRepoFile = (file: string): string => readFileSync(repoPath(file), 'utf8');

/** The platform image's tag: the version in package.json (the overlay's `images:` sets it). */
export function packageVersion(): string {
  return (JSON.parse(readRepoFile('package.json')) as { version: string }).version;
}
