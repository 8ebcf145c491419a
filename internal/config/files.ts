// Files a variable names (certificates, keys, the CA): read once at start-up, and a file that
// cannot be read is a config error naming the variable, like a bad value.
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

export function readConfigFile(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError([`${variable}: ${(error as Error).message}`]);
  }
}
