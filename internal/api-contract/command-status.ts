// A command's statuses, shared by the API (which moves and streams them) and iotctl (which
// waits for them). Plain constants, no schema library, so the CLI loads little.
export const COMMAND_STATUSES = ['queued', 'sent', 'applied', 'rejected', 'expired'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** A command here never moves again: `--wait` stops and the event stream ends. */
export const FINAL_STATUSES: readonly CommandStatus[] = ['applied', 'rejected', 'expired'];
