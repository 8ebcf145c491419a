// Every shell script in the repository passes shellcheck: the `*.sh` files (utils/stack.sh, its
// parts in utils/stack/, the scripts under dependencies/) and the ones without the extension
// that start with a shell's `#!` (.ci/run). `-x` follows `source`, so utils/stack.sh is checked
// together with its parts; each part is checked on its own as well.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const SHELL_SHEBANG = /^#!\s*(\/usr\/bin\/env\s+)?(\/bin\/|\/usr\/bin\/)?(ba|da)?sh\b/;

/** Tracked and new (not ignored) files that are shell scripts, repository-relative. */
function shellScripts(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return [...new Set(listed.split('\0'))]
    .filter((file) => file !== '' && existsSync(path.join(root, file)))
    .filter(
      (file) =>
        file.endsWith('.sh') ||
        (path.extname(file) === '' &&
          SHELL_SHEBANG.test(readFileSync(path.join(root, file), 'utf8').split('\n', 1)[0] ?? '')),
    )
    .sort();
}

describe('shell scripts', () => {
  const scripts = shellScripts();

  it('include the local stack, its parts and CI’s entry point', () => {
    expect(scripts).toEqual(
      expect.arrayContaining(['.ci/run', 'utils/stack.sh', 'utils/stack/common.sh']),
    );
  });

  it('pass shellcheck', async () => {
    try {
      await run('shellcheck', ['--external-sources', '--format=gcc', ...scripts], { cwd: root });
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
      if (failure.code === 'ENOENT') {
        throw new Error('shellcheck is not installed: apt-get install -y shellcheck', {
          cause: error,
        });
      }
      // One line per finding, `file:line:column: severity: message [SCxxxx]`.
      expect.fail(`shellcheck found problems:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
    }
  });
});
