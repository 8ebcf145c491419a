// Writes dependencies/rabbitmq/definitions.json from internal/routing's topology.
// Run after changing a name: `npm run gen:definitions`. A test fails if the file is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { rabbitDefinitions } from '../internal/routing/index.js';
import { repoRoot } from './test/stack-env.js';

export const definitionsPath = path.join(repoRoot, 'dependencies/rabbitmq/definitions.json');

export function renderDefinitions(): string {
  return `${JSON.stringify(rabbitDefinitions(), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  writeFileSync(definitionsPath, renderDefinitions());
  console.log(`wrote ${path.relative(repoRoot, definitionsPath)}`);
}
