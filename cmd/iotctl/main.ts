// The iotctl process: the only place that reads process.argv, process.env and the real
// streams, and sets the exit code. Everything else is in program.ts, with these handed in.
import { readFileSync } from 'node:fs';
import { HttpApiClient } from './api-client.js';
import { InterruptedError } from './errors.js';
import { runCli } from './program.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

const interrupt = new AbortController();
// The first Ctrl-C asks the running verb to stop (logs -f and watch end cleanly, --wait reports
// where the command got to); a second one means "now".
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort(new InterruptedError());
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  now: () => new Date(),
  signal: interrupt.signal,
  connect: (options) => new HttpApiClient(options),
  version,
});
