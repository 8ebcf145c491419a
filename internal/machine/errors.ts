// internal/machine's errors: a call to a machine controller that failed, and whether trying
// again may help (the controller unreachable, overloaded or too slow) or cannot (it refused
// the request itself).
import { status } from '@grpc/grpc-js';

export type MachineErrorCode = 'ACTION_FAILED';

/** gRPC statuses worth another attempt: the call may not have reached or finished. */
const RETRYABLE = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.RESOURCE_EXHAUSTED,
  status.ABORTED,
  status.INTERNAL,
  status.UNKNOWN,
]);

export class MachineActionError extends Error {
  override name = 'MachineActionError';
  readonly code: MachineErrorCode = 'ACTION_FAILED';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** From a gRPC call's error: its status names the reason and decides the retry. */
  static fromGrpc(error: { code?: number; details?: string; message: string }): MachineActionError {
    const name = error.code === undefined ? 'error' : (status[error.code] ?? String(error.code));
    return new MachineActionError(
      `${name}: ${error.details || error.message}`,
      error.code === undefined || RETRYABLE.has(error.code),
      { cause: error },
    );
  }
}
