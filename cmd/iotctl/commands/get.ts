// `iotctl get sensors|sensor S|targets|target T|commands S|command ID|features S|recompute ID|
// alarms|rules T|fleet|apikeys|accounts|deadletters`.
import type { Command } from 'commander';
import type {
  Account,
  ApiKey,
  Command as SensorCommand,
  Feature,
  FeatureRecompute,
  List,
  Sensor,
  Target,
} from '../api-types.js';
import {
  parseSerial,
  parseTimeBound,
  positiveInteger,
  resolveTimeBound,
  type TimeBound,
} from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { CliError } from '../errors.js';
import { outputOption, printList, writeJson, type OutputFormat } from '../output.js';
import {
  accountColumns,
  apiKeyColumns,
  commandColumns,
  commandDetails,
  recomputeDetails,
  featureColumns,
  sensorColumns,
  sensorDetails,
  targetColumns,
  targetDetails,
} from '../resource-views.js';
import { withClient } from '../session.js';
import { addAlarmFilters, runGetAlarms, type AlarmFilterFlags } from './alarms.js';
import { registerGetDeadLetters } from './deadletters.js';
import { registerGetFleet } from './fleet.js';
import { registerGetRules } from './rules.js';
import { renderDetails } from '../table.js';

interface Output {
  output: OutputFormat;
}

const enc = encodeURIComponent;

export function registerGet(program: Command, deps: CliDeps): void {
  const get = program
    .command('get')
    .description(
      'list resources, or show one (sensors, targets, commands, features, alarms, rules, fleet, ' +
        'apikeys, accounts, deadletters)',
    );

  get
    .command('sensors')
    .alias('sensor')
    .description('list sensors, or show one')
    .argument('[serial]', 'show only this sensor', parseSerial)
    .addOption(outputOption())
    .action((serial: string | undefined, opts: Output, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetSensors({ serial, ...opts }, run)),
    );

  get
    .command('targets')
    .alias('target')
    .description('list targets (machines, vehicles), or show one')
    .argument('[target]', 'show only this target')
    .addOption(outputOption())
    .action((name: string | undefined, opts: Output, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetTargets({ name, ...opts }, run)),
    );

  get
    .command('commands')
    .description("a sensor's commands, newest first")
    .argument('<serial>', 'the sensor', parseSerial)
    .option('--limit <n>', 'at most this many', positiveInteger(1000))
    .addOption(outputOption())
    .action((serial: string, opts: Output & { limit?: number }, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetCommands({ serial, ...opts }, run)),
    );

  get
    .command('command')
    .description('one command, with its history')
    .argument('<id>', 'the command id (printed by sleep, awake, set-frequency)')
    .addOption(outputOption())
    .action((id: string, opts: Output, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetCommand({ id, ...opts }, run)),
    );

  get
    .command('recompute')
    .description('one feature recompute job (printed by features recompute)')
    .argument('<id>', 'the job id')
    .addOption(outputOption())
    .action((id: string, opts: Output, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetRecompute({ id, ...opts }, run)),
    );

  get
    .command('features')
    .alias('feature')
    .description("a sensor's analysed windows, newest first: levels, ISO zone, diagnosis, score")
    .argument('<serial>', 'the sensor', parseSerial)
    .option(
      '--since <when>',
      'windows from then on: a duration ago (1h, 30m) or an ISO time',
      parseTimeBound,
    )
    .option('--until <when>', 'windows before then: a duration ago or an ISO time', parseTimeBound)
    .option('--limit <n>', 'at most this many (API default 100)', positiveInteger(1000))
    .addOption(outputOption())
    .action(
      (
        serial: string,
        opts: Output & { since?: TimeBound; until?: TimeBound; limit?: number },
        cmd: Command,
      ) => withClient(cmd, deps, (run) => runGetFeatures({ serial, ...opts }, run)),
    );

  addAlarmFilters(
    get.command('alarms').alias('alarm').description('open alarms, newest first'),
  ).action((opts: AlarmFilterFlags, cmd: Command) =>
    withClient(cmd, deps, (run) => runGetAlarms(opts, run)),
  );
  registerGetRules(get, deps);
  registerGetFleet(get, deps);
  registerGetDeadLetters(get, deps);

  get
    .command('apikeys')
    .aliases(['apikey', 'api-keys'])
    .description('API keys of your organization (admin)')
    .addOption(outputOption())
    .action((opts: Output, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetApiKeys(opts, run)),
    );

  get
    .command('accounts')
    .alias('account')
    .description('accounts of your organization (admin)')
    .addOption(outputOption())
    .action((opts: Output, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetAccounts(opts, run)),
    );
}

export async function runGetSensors(
  options: Output & { serial?: string },
  deps: RunDeps,
): Promise<void> {
  if (options.serial !== undefined) {
    const sensor = await deps.client.get<Sensor>(`/sensors/${enc(options.serial)}`);
    if (options.output === 'json') return writeJson(deps.stdout, sensor);
    deps.stdout.write(renderDetails(sensorDetails(sensor, deps.now())));
    return;
  }
  const { items } = await deps.client.get<List<Sensor>>('/sensors');
  printList(deps, options.output, items, sensorColumns(deps.now()), 'sensors');
}

export async function runGetTargets(
  options: Output & { name?: string },
  deps: RunDeps,
): Promise<void> {
  const { items } = await deps.client.get<List<Target>>('/targets');
  if (options.name === undefined) {
    return printList(deps, options.output, items, targetColumns(deps.now()), 'targets');
  }
  // The API has no GET /targets/:name; the list is small, so pick it out here.
  const target = items.find((t) => t.name === options.name);
  if (!target) throw new CliError('NOT_FOUND', `target "${options.name}" not found`);
  if (options.output === 'json') return writeJson(deps.stdout, target);
  deps.stdout.write(renderDetails(targetDetails(target, deps.now())));
}

export async function runGetFeatures(
  options: Output & { serial: string; since?: TimeBound; until?: TimeBound; limit?: number },
  deps: RunDeps,
): Promise<void> {
  const now = deps.now();
  const at = (bound: TimeBound | undefined) =>
    bound === undefined ? undefined : resolveTimeBound(bound, now);
  const { items } = await deps.client.get<List<Feature>>(
    `/sensors/${enc(options.serial)}/features`,
    { query: { since: at(options.since), until: at(options.until), limit: options.limit } },
  );
  printList(deps, options.output, items, featureColumns(), 'features');
}

export async function runGetCommands(
  options: Output & { serial: string; limit?: number },
  deps: RunDeps,
): Promise<void> {
  const { items } = await deps.client.get<List<SensorCommand>>(
    `/sensors/${enc(options.serial)}/commands`,
    { query: { limit: options.limit } },
  );
  printList(deps, options.output, items, commandColumns(deps.now()), 'commands');
}

export async function runGetCommand(
  options: Output & { id: string },
  deps: RunDeps,
): Promise<void> {
  const command = await deps.client.get<SensorCommand>(`/commands/${enc(options.id)}`);
  if (options.output === 'json') return writeJson(deps.stdout, command);
  deps.stdout.write(renderDetails(commandDetails(command, deps.now())));
}

export async function runGetRecompute(
  options: Output & { id: string },
  deps: RunDeps,
): Promise<void> {
  const job = await deps.client.get<FeatureRecompute>(`/feature-recomputes/${enc(options.id)}`);
  if (options.output === 'json') return writeJson(deps.stdout, job);
  deps.stdout.write(renderDetails(recomputeDetails(job)));
}

export async function runGetApiKeys(options: Output, deps: RunDeps): Promise<void> {
  const { items } = await deps.client.get<List<ApiKey>>('/api-keys');
  printList(deps, options.output, items, apiKeyColumns(deps.now()), 'API keys');
}

export async function runGetAccounts(options: Output, deps: RunDeps): Promise<void> {
  const { items } = await deps.client.get<List<Account>>('/accounts');
  printList(deps, options.output, items, accountColumns(deps.now()), 'accounts');
}
