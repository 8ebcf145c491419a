// Tells `--wait` streams that a command changed: the NOTIFY of whichever replica recorded the
// change wakes the local waiters of that command (notification-listener.ts); the streams also
// re-read on a slow timer, so a notification missed while reconnecting delays an update,
// never loses it.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../internal/telemetry/index.js';
import { NotificationListener } from './notification-listener.js';
import { NOTIFY_CHANNEL } from './store/commands-store.js';

export class CommandEvents {
  private readonly emitter = new EventEmitter();
  private readonly listener: NotificationListener;

  constructor(databaseUrl: string, logger: Logger) {
    // One listener per open stream; thousands of waiting CLIs are fine.
    this.emitter.setMaxListeners(0);
    this.listener = new NotificationListener(databaseUrl, NOTIFY_CHANNEL, logger, (payload) =>
      this.emitter.emit(payload),
    );
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  /** Calls `onChange` whenever the command may have changed; returns the unsubscribe. */
  subscribe(commandId: string, onChange: () => void): () => void {
    this.emitter.on(commandId, onChange);
    return () => this.emitter.off(commandId, onChange);
  }

  close(): Promise<void> {
    return this.listener.close();
  }
}
