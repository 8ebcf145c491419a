// A new account's password: typed twice without echo, or read from stdin for scripts.
import type { CliDeps } from './deps.js';
import { CliError } from './errors.js';
import { promptSecret, readAllStdin } from './prompt.js';

export async function newPassword(
  username: string,
  fromStdin: boolean,
  deps: CliDeps,
): Promise<string> {
  const password = fromStdin ? await readAllStdin(deps.stdin) : await promptTwice(username, deps);
  if (password === '') throw new CliError('EMPTY_PASSWORD', 'the password is empty');
  return password;
}

async function promptTwice(username: string, deps: CliDeps): Promise<string> {
  const io = { stdin: deps.stdin, stderr: deps.stderr, signal: deps.signal };
  const first = await promptSecret(`Password for ${username}: `, io);
  const again = await promptSecret('Same password again: ', io);
  if (first !== again) throw new CliError('PASSWORD_MISMATCH', 'the two passwords differ');
  return first;
}
