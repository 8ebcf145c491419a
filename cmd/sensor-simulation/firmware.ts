// What the simulated firmware says about itself: its version, the lines it logs while booting
// (as a real accelerometer node does over its debug UART, here on sensor/<serial>/logs), its
// periodic heartbeat and what it did with each command.
import type { AckOutcome, LogLevel } from '../../internal/routing/index.js';

export const BOOTLOADER_VERSION = '2.1.0';
export const FIRMWARE_VERSION = '1.4.2-sim';

export type Mount = 'fixed' | 'mobile';

export interface FirmwareLogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: Readonly<Record<string, string>>;
}

const line = (
  message: string,
  fields: Record<string, string> = {},
  level: LogLevel = 'info',
): FirmwareLogLine => ({ level, message, fields });

/** The boot log, in the order the hardware comes up. */
export function bootLog(options: { sampleRateHz: number; mount: Mount }): FirmwareLogLine[] {
  const lines = [
    line('power on', { reset_reason: 'power-on' }),
    line(`bootloader v${BOOTLOADER_VERSION}`, { image: 'slot-a', signature: 'ok' }),
    line(`firmware v${FIRMWARE_VERSION}`, { build: 'sensor-simulation' }),
    line('self-test: flash OK'),
    line('self-test: accelerometer OK', {
      range: '±16 g',
      output_data_rate_hz: String(options.sampleRateHz),
    }),
  ];
  if (options.mount === 'mobile') {
    lines.push(
      line('GNSS receiver on'),
      line('GPS fix acquired', { satellites: '9', hdop: '0.9' }),
    );
  }
  lines.push(
    line('network: connecting to broker', { protocol: 'MQTT 3.1.1', qos: '1' }),
    line(`sampling started at ${options.sampleRateHz} Hz`),
  );
  return lines;
}

export type PowerState = 'awake' | 'asleep';

export function heartbeatLine(status: {
  uptimeS: number;
  state: PowerState;
  batchesMeasured: number;
  outboxBatches: number;
  connected: boolean;
}): FirmwareLogLine {
  return line('heartbeat', {
    uptime_s: String(Math.round(status.uptimeS)),
    state: status.state,
    batches_measured: String(status.batchesMeasured),
    outbox_batches: String(status.outboxBatches),
    link: status.connected ? 'up' : 'down',
  });
}

export function shutdownLine(): FirmwareLogLine {
  return line('power off requested: flushing outbox');
}

export function droppedLine(batches: number, capacity: number): FirmwareLogLine {
  return line(
    'outbox full: oldest batches dropped',
    { dropped_batches: String(batches), capacity: String(capacity) },
    'warn',
  );
}

/** One line per command: `command <id> sleep: applied`, with the reason the ack carries. */
export function commandLine(
  commandId: string,
  action: string,
  outcome: AckOutcome,
  reason: string,
): FirmwareLogLine {
  const fields: Record<string, string> = { command_id: commandId, outcome };
  if (reason) fields.reason = reason;
  return line(
    `command ${commandId} ${action}: ${outcome}`,
    fields,
    outcome === 'applied' ? 'info' : 'warn',
  );
}

export function redeliveredCommandLine(commandId: string, outcome: AckOutcome): FirmwareLogLine {
  return line(`command ${commandId} received again: acknowledged as ${outcome} again`, {
    command_id: commandId,
    outcome,
  });
}

export function unreadableCommandLine(error: string): FirmwareLogLine {
  return line('command ignored: cannot be decoded', { error }, 'error');
}
