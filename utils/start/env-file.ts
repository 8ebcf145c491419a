// Sets one KEY='value' line of .stack/env (the format utils/stack/env.sh writes), replacing an
// earlier one: npm start records what it adds to the stack, e.g. the controller's address.
import { readFileSync, writeFileSync } from 'node:fs';

export function setEnvFileValue(file: string, key: string, value: string): void {
  if (!/^[A-Z][A-Z0-9_]*$/.test(key) || value.includes("'")) {
    throw new Error(`cannot write ${key}=${value} to ${file}`);
  }
  const kept = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith(`${key}=`) && line !== '');
  writeFileSync(file, `${[...kept, `${key}='${value}'`].join('\n')}\n`, { mode: 0o600 });
}
