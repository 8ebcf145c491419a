// `iotctl alarms ack ID`, `iotctl alarms` (same as `get alarms`) and `get alarms [--state S]
// [--severity S] [--sensor SERIAL] [--target T] [--all]`: the alarms to act on, newest first.
import { Option, type Command } from 'commander';
import { SEVERITIES } from '../../../internal/alarms/index.js';
import { alarmColumns, alarmDetails } from '../alarm-views.js';
import type { Alarm, List } from '../api-types.js';
import { parseSerial } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { outputOption, printList, writeJson, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';
import { renderDetails } from '../table.js';

export const ALARM_STATES = ['active', 'acknowledged', 'cleared', 'open'] as const;

export interface AlarmFilterFlags {
  output: OutputFormat;
  all?: boolean;
  state?: string;
  severity?: string;
  sensor?: string;
  target?: string;
}

/** The filters `get alarms` and `alarms list` share. */
export function addAlarmFilters(command: Command): Command {
  return command
    .option('--all', 'cleared ones too')
    .addOption(
      new Option('--state <state>', 'only these (open: active and acknowledged)').choices([
        ...ALARM_STATES,
      ]),
    )
    .addOption(new Option('--severity <severity>').choices([...SEVERITIES]))
    .option('--sensor <serial>', "only this sensor's", parseSerial)
    .option('--target <target>', "only this target's")
    .addOption(outputOption());
}

export function registerAlarms(program: Command, deps: CliDeps): void {
  const alarms = program.command('alarms').description('list, show or acknowledge alarms');

  addAlarmFilters(
    alarms
      .command('list', { isDefault: true })
      .description('open alarms, newest first (the default)'),
  ).action((opts: AlarmFilterFlags, cmd: Command) =>
    withClient(cmd, deps, (run) => runGetAlarms(opts, run)),
  );

  alarms
    .command('show')
    .description('one alarm: its reading, action outcome and history')
    .argument('<id>', 'the alarm id (see get alarms)')
    .addOption(outputOption())
    .action((id: string, opts: { output: OutputFormat }, cmd: Command) =>
      withClient(cmd, deps, (run) => runAlarmShow({ id, ...opts }, run)),
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

export async function runGetAlarms(options: AlarmFilterFlags, deps: RunDeps): Promise<void> {
  const { items } = await deps.client.get<List<Alarm>>('/alarms', {
    query: {
      all: options.all ? 'true' : undefined,
      state: options.state,
      severity: options.severity,
      sensor: options.sensor,
      target: options.target,
    },
  });
  const noun = options.state ? `${options.state} alarms` : options.all ? 'alarms' : 'open alarms';
  printList(deps, options.output, items, alarmColumns(deps.now()), noun);
}

export async function runAlarmShow(
  options: { id: string; output: OutputFormat },
  deps: RunDeps,
): Promise<void> {
  const alarm = await deps.client.get<Alarm>(`/alarms/${encodeURIComponent(options.id)}`);
  if (options.output === 'json') return writeJson(deps.stdout, alarm);
  deps.stdout.write(renderDetails(alarmDetails(alarm, deps.now())));
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
