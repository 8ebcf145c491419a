// The simulated machine controller's behaviour: each action applied once per idempotency key
// (a retry is answered "duplicate" and changes nothing), everything received kept for
// GET /actions, and the faults tests ask for: refuse the first calls, or apply and answer late.
import { setTimeout as delay } from 'node:timers/promises';
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  MACHINE_ACTIONS,
  MACHINE_SCHEMA_VERSION,
  type ActionReply,
  type ActionRequest,
} from '../../internal/machine/index.js';
import type { Logger } from '../../internal/telemetry/index.js';

export interface ReceivedCall {
  readonly key: string;
  readonly action: string;
  readonly target: string;
  readonly serial: string;
  readonly alarmId: string;
  readonly rule: string;
  readonly at: string;
  /** applied (first time), duplicate (seen before), refused (fault injected or bad request). */
  readonly outcome: 'applied' | 'duplicate' | 'refused';
}

export interface ControllerBehaviour {
  refuseFirst: number;
  slowFirst: number;
  slowReplyMs: number;
}

export class MachineControllerSimulator {
  private readonly applied = new Map<string, number>();
  private readonly received: ReceivedCall[] = [];
  private calls = 0;

  constructor(
    private readonly behaviour: ControllerBehaviour,
    private readonly logger: Logger,
  ) {}

  /** Every call, oldest first, and the actions applied (one per key). */
  listing() {
    return {
      applied: this.received.filter((c) => c.outcome === 'applied'),
      calls: this.received,
    };
  }

  readonly applyAction = (
    call: ServerUnaryCall<ActionRequest, ActionReply>,
    callback: sendUnaryData<ActionReply>,
  ): void => {
    void this.handle(call.request).then(
      (reply) => callback(null, reply),
      (error: Error & { code: number; details: string }) => callback(error, null),
    );
  };

  private async handle(request: ActionRequest): Promise<ActionReply> {
    const n = ++this.calls;
    const record = (outcome: ReceivedCall['outcome']) =>
      this.received.push({
        key: request.idempotencyKey,
        action: request.action,
        target: request.target,
        serial: request.serial,
        alarmId: request.alarmId,
        rule: request.rule,
        at: new Date().toISOString(),
        outcome,
      });
    if (request.schemaVersion !== MACHINE_SCHEMA_VERSION || !request.idempotencyKey) {
      record('refused');
      throw grpcError(status.INVALID_ARGUMENT, 'schema version or idempotency key missing');
    }
    if (!(MACHINE_ACTIONS as readonly string[]).includes(request.action)) {
      record('refused');
      throw grpcError(status.INVALID_ARGUMENT, `unknown action "${request.action}"`);
    }
    if (n <= this.behaviour.refuseFirst) {
      record('refused');
      throw grpcError(status.UNAVAILABLE, `refusing call ${n} (fault injected)`);
    }
    const first = this.applied.get(request.idempotencyKey);
    const appliedAtMs = first ?? Date.now();
    if (first === undefined) this.applied.set(request.idempotencyKey, appliedAtMs);
    record(first === undefined ? 'applied' : 'duplicate');
    this.logger.info(
      {
        key: request.idempotencyKey,
        action: request.action,
        target: request.target,
        serial: request.serial,
        duplicate: first !== undefined,
      },
      first === undefined ? 'action applied' : 'action already applied',
    );
    if (n <= this.behaviour.slowFirst) await delay(this.behaviour.slowReplyMs);
    return {
      schemaVersion: MACHINE_SCHEMA_VERSION,
      applied: true,
      duplicate: first !== undefined,
      detail: `${request.action} on ${request.target}`,
      appliedAtMs,
    };
  }
}

/** An error grpc-js sends as that status with those details. */
function grpcError(code: status, details: string): Error & { code: status; details: string } {
  return Object.assign(new Error(details), { code, details });
}
