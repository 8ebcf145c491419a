// `iotctl alarms ack ID`, and `iotctl alarms` (same as `get alarms`) to see what to ack.
import type { Command } from 'commander';
import type { Alarm } from '../api-types.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { outputOption, writeJson, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';
import { runGetAlarms } from './get.js';

export function registerAlarms(program: Command, deps: CliDeps): void {
  const alarms = program.command('alarms').description('list or acknowledge alarms');

  alarms
    .command('list', { isDefault: true })
    .description('open alarms, newest first (the default)')
    .option('--all', 'acknowledged ones too')
    .addOption(outputOption())
    .action((opts: { output: OutputFormat; all?: boolean }, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetAlarms(opts, run)),
    );

  alarms
    .command('ack')
    .description('acknowledge an alarm')
    .argument('<id>', 'the alarm id (see get alarms)')
    .addOption(outputOption())
    .action((id: string, opts: { output: OutputFormat }, cmd: Command) =>
      withClient(cmd, deps, (run) => runAlarmAck({ id, ...opts }, run)),
    );
}

export async function runAlarmAck(
  options: { id: string; output: OutputFormat },
  deps: RunDeps,
): Promise<void> {
  const alarm = await deps.client.post<Alarm>(`/alarms/${encodeURIComponent(options.id)}/ack`);
  if (options.output === 'json') return writeJson(deps.stdout, alarm);
  deps.stdout.write(
    `alarm ${alarm.id} acknowledged` +
      (alarm.acknowledgedBy ? ` by ${alarm.acknowledgedBy}` : '') +
      '\n',
  );
}
