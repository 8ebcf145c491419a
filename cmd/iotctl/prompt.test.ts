import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Reader } from './deps.js';
import { InterruptedError, UsageError } from './errors.js';
import { promptLine, promptSecret, readAllStdin } from './prompt.js';
import { capture } from './test-support.js';

/** A stdin that says it is a terminal and records raw-mode switches. */
function fakeTty() {
  const stdin = new PassThrough() as PassThrough & Reader & { rawModes: boolean[] };
  stdin.isTTY = true;
  stdin.rawModes = [];
  stdin.setRawMode = (mode: boolean) => stdin.rawModes.push(mode);
  return stdin;
}

const io = (stdin: Reader, signal = new AbortController().signal) => ({
  stdin,
  stderr: capture(),
  signal,
});

describe('promptSecret', () => {
  it.each([
    ['Enter ends it', ['hunter2\r'], 'hunter2'],
    ['a newline ends it', ['hunter2\n'], 'hunter2'],
    ['typed key by key', ['h', 'u', 'n', '\r'], 'hun'],
    ['backspace removes the last character', ['hunx\u007f', 'ter\r'], 'hunter'],
    ['Ctrl-U clears the line', ['wrong\u0015right\r'], 'right'],
    ['Ctrl-D ends it', ['pw\u0004'], 'pw'],
    ['a paste with the Enter inside', ['pässwörd\rignored'], 'pässwörd'],
    ['control characters are dropped', ['a\u001bb\r'], 'ab'],
  ])('%s', async (_name, keys, secret) => {
    const stdin = fakeTty();
    const prompt = io(stdin);
    const answer = promptSecret('Password: ', prompt);
    for (const key of keys) stdin.write(key);
    expect(await answer).toBe(secret);
    // Never echoed: only the question and the newline that Enter would have printed.
    expect(prompt.stderr.text).toBe('Password: \n');
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('Ctrl-C in raw mode is an interruption, and the terminal is restored', async () => {
    const stdin = fakeTty();
    const answer = promptSecret('Password: ', io(stdin));
    stdin.write('abc\u0003');
    await expect(answer).rejects.toBeInstanceOf(InterruptedError);
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('an abort (SIGINT from elsewhere) interrupts too', async () => {
    const stdin = fakeTty();
    const controller = new AbortController();
    const answer = promptSecret('Password: ', io(stdin, controller.signal));
    controller.abort();
    await expect(answer).rejects.toBeInstanceOf(InterruptedError);
  });

  it('refuses to ask when stdin is not a terminal', async () => {
    await expect(promptSecret('Password: ', io(new PassThrough()))).rejects.toThrow(UsageError);
    await expect(promptSecret('Password: ', io(new PassThrough()))).rejects.toThrow(
      /--password-stdin/,
    );
  });
});

describe('promptLine', () => {
  it('reads one trimmed line, asking on stderr', async () => {
    const stdin = fakeTty();
    const prompt = io(stdin);
    const answer = promptLine('Username: ', prompt);
    stdin.write('  admin \n');
    expect(await answer).toBe('admin');
    expect(prompt.stderr.text).toContain('Username: ');
  });
});

describe('readAllStdin', () => {
  it.each([
    ['secret\n', 'secret'],
    ['secret\r\n', 'secret'],
    ['secret', 'secret'],
    ['two\nlines\n', 'two\nlines'],
    ['ends with spaces  \n', 'ends with spaces  '],
  ])('%j → %j', async (input, output) => {
    const stdin = new PassThrough();
    stdin.end(input);
    expect(await readAllStdin(stdin)).toBe(output);
  });
});

describe('promptLine interruptions', () => {
  it('Ctrl-C on a terminal interrupts instead of hanging', async () => {
    const stdin = fakeTty();
    // readline's terminal mode (what a real TTY gets) needs a real stream to draw on.
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    const prompt = { ...io(stdin), stderr };
    const answer = promptLine('Type the serial to confirm: ', prompt);
    stdin.write('AAD\u0003');
    await expect(answer).rejects.toBeInstanceOf(InterruptedError);
  });
});
