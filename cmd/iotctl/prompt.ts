// Asking the operator for a line or a secret. Secrets are read in raw mode so they never echo,
// and raw mode delivers Ctrl-C as a byte rather than a signal, so it is handled here.
import { createInterface } from 'node:readline/promises';
import type { Reader, Writer } from './deps.js';
import { InterruptedError, UsageError } from './errors.js';

export interface PromptIo {
  stdin: Reader;
  stderr: Writer;
  signal: AbortSignal;
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACES = new Set(['\u007f', '\b']);

/** Prompts go to stderr, so `iotctl … > file` still shows them. */
export async function promptLine(question: string, io: PromptIo): Promise<string> {
  requireTty(io, 'no terminal to ask on');
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
  // On a terminal readline reads in raw mode too, and turns Ctrl-C into its own 'SIGINT'
  // event; unheard, it would only pause the input and leave the question hanging.
  const cancel = new AbortController();
  rl.on('SIGINT', () => cancel.abort());
  const signal = AbortSignal.any([io.signal, cancel.signal]);
  try {
    return (await rl.question(question, { signal })).trim();
  } catch (error) {
    if (signal.aborted) throw new InterruptedError();
    throw error;
  } finally {
    rl.close();
  }
}

export async function promptSecret(question: string, io: PromptIo): Promise<string> {
  requireTty(io, 'no terminal to ask for the password; pipe it in with --password-stdin');
  const { stdin, stderr } = io;
  stderr.write(question);
  stdin.setRawMode?.(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let secret = '';
      const finish = (outcome: () => void) => {
        stdin.off('data', onData);
        io.signal.removeEventListener('abort', onAbort);
        stderr.write('\n');
        outcome();
      };
      const onAbort = () => finish(() => reject(new InterruptedError()));
      const onData = (chunk: string | Buffer) => {
        // A paste arrives as one chunk; go character by character so Enter inside it ends.
        for (const char of String(chunk)) {
          if (char === '\r' || char === '\n' || char === CTRL_D)
            return finish(() => resolve(secret));
          if (char === CTRL_C) return finish(() => reject(new InterruptedError()));
          if (BACKSPACES.has(char)) secret = [...secret].slice(0, -1).join('');
          else if (char === CTRL_U) secret = '';
          else if (char >= ' ') secret += char;
        }
      };
      stdin.on('data', onData);
      io.signal.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
  }
}

/** `--password-stdin`: everything until EOF, without the newline `echo` adds. */
export async function readAllStdin(stdin: Reader): Promise<string> {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

export function requireTty(io: PromptIo, message: string): void {
  if (!io.stdin.isTTY) throw new UsageError(message);
}
