// The firmware's command loop: decode what arrived on sensor/<serial>/commands, decide, apply,
// and answer with exactly one CommandAck per command. QoS 1 delivers at least once (a PUBACK
// lost with the connection makes the broker deliver again), so the answers to recent commands
// are kept: a command seen before is answered again with the same ack and not applied twice.
import { commandCodec, type Command, type CommandAck } from '../../internal/routing/index.js';
import { decide, describeAction } from './command-decision.js';
import {
  commandLine,
  redeliveredCommandLine,
  unreadableCommandLine,
  type FirmwareLogLine,
} from './firmware.js';

export type DeviceAck = Omit<CommandAck, 'schemaVersion'>;

/** What the sensor does for each action; each returns a note for the ack's reason. */
export interface CommandEffects {
  sleep(): string;
  awake(): string;
  setSampleRate(hz: number): string;
}

export interface CommandHandlerOptions {
  serial: string;
  batchIntervalMs: number;
  effects: CommandEffects;
  /** False once the sensor is powering off. */
  accepting(): boolean;
  sendAck: (ack: DeviceAck) => void;
  log: (line: FirmwareLogLine) => void;
  /** A command answered for the first time. */
  onAnswered?(ack: DeviceAck): void;
  /** Answers remembered for redeliveries; a device has little memory, so it is bounded. */
  remember?: number;
  now?: () => number;
}

export const REMEMBERED_COMMANDS = 256;

export class CommandHandler {
  /** Answers by command id, oldest first (a Map keeps insertion order). */
  private readonly answered = new Map<string, DeviceAck>();
  private readonly remember: number;
  private readonly now: () => number;

  constructor(private readonly options: CommandHandlerOptions) {
    this.remember = options.remember ?? REMEMBERED_COMMANDS;
    this.now = options.now ?? Date.now;
  }

  receive(payload: Uint8Array): void {
    const { log, sendAck } = this.options;
    let command: Command;
    try {
      command = commandCodec.decode(payload);
    } catch (error) {
      log(unreadableCommandLine(error instanceof Error ? error.message : String(error)));
      return;
    }
    if (!command.id) {
      log(unreadableCommandLine('the command has no id, so it cannot be acknowledged'));
      return;
    }
    const earlier = this.answered.get(command.id);
    if (earlier) {
      log(redeliveredCommandLine(command.id, earlier.outcome));
      sendAck(earlier);
      return;
    }
    const ack = this.answer(command);
    this.answered.set(command.id, ack);
    if (this.answered.size > this.remember) {
      const oldest = this.answered.keys().next().value;
      if (oldest !== undefined) this.answered.delete(oldest);
    }
    this.options.onAnswered?.(ack);
    log(commandLine(command.id, describeAction(command.action), ack.outcome, ack.reason));
    sendAck(ack);
  }

  private answer(command: Command): DeviceAck {
    const decision = decide(command, {
      nowMs: this.now(),
      batchIntervalMs: this.options.batchIntervalMs,
      accepting: this.options.accepting(),
    });
    let outcome: DeviceAck['outcome'];
    let reason: string;
    if (decision.outcome === 'apply') {
      outcome = 'applied';
      reason = this.apply(decision.action);
    } else {
      ({ outcome, reason } = decision);
    }
    // Stamped after applying: a sleep's ack time is then at or after the end of the last batch.
    return {
      serial: this.options.serial,
      commandId: command.id,
      outcome,
      reason,
      atMs: this.now(),
    };
  }

  private apply(action: Command['action']): string {
    const { effects } = this.options;
    switch (action.type) {
      case 'sleep':
        return effects.sleep();
      case 'awake':
        return effects.awake();
      case 'set_sample_frequency':
        return effects.setSampleRate(action.hz);
    }
  }
}
