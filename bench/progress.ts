// Where the run is, on stderr: a bar redrawn in place on a terminal, a plain line every few
// seconds otherwise (CI logs, pipes).

export interface ProgressOutput {
  write(text: string): void;
  isTTY?: boolean;
}

const PLAIN_EVERY_MS = 5_000;
const BAR_WIDTH = 30;

export class Progress {
  private lastPlainMs = 0;
  private drawn = false;

  constructor(private readonly out: ProgressOutput) {}

  /** A phase starts: one line of its own. */
  phase(text: string): void {
    this.clear();
    this.out.write(`bench: ${text}\n`);
  }

  /** The run's state: `done` of `total` seconds, and what to show beside the bar. */
  update(done: number, total: number, detail: string): void {
    const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
    if (this.out.isTTY) {
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
      this.out.write(`\r\x1b[2K${bar} ${Math.floor(done)}/${total} s  ${detail}`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainMs < PLAIN_EVERY_MS) return;
    this.lastPlainMs = now;
    this.out.write(`bench: ${Math.floor(done)}/${total} s  ${detail}\n`);
  }

  /** Ends a bar line so the next output starts clean. */
  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}
