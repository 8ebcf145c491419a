// `iotctl get rules TARGET` and `iotctl set rule TARGET RULE [--enable|--disable]
// [--threshold N] [--raise-after D] [--clear-after D] [--severity S] [--action A]`: a
// target's alarm rules, and changing one. `default` returns a setting to the rule's default.
// Bad values and a threshold on a rule that takes none are usage errors (exit 2), before any
// request.
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  ACTIONS,
  RULE_NAMES,
  SEVERITIES,
  isRuleName,
  validateRuleOverride,
} from '../../../internal/alarms/index.js';
import { ruleColumns } from '../alarm-views.js';
import type { AlarmRule, List } from '../api-types.js';
import { durationWithin } from '../arguments.js';
import type { CliDeps, RunDeps } from '../deps.js';
import { UsageError } from '../errors.js';
import { outputOption, printList, writeJson, type OutputFormat } from '../output.js';
import { withClient } from '../session.js';
import { renderTable } from '../table.js';

/** Returns a setting to the rule's default (null in the PATCH). */
const DEFAULT = 'default';
const enc = encodeURIComponent;

const orDefault =
  <T>(parse: (raw: string) => T) =>
  (raw: string): T | null =>
    raw === DEFAULT ? null : parse(raw);

function parseThreshold(raw: string): number {
  const n = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw new InvalidArgumentError('Must be a number (in the rule’s unit).');
  return n;
}

/** 0s to 24 h, whole seconds or finer: the API takes seconds. */
const parseDelay = durationWithin(0, 86_400_000, 'a duration from 0s to 24h');

export interface RuleFlags {
  enable?: boolean;
  disable?: boolean;
  threshold?: number | null;
  raiseAfter?: number | null;
  clearAfter?: number | null;
  severity?: string;
  action?: string;
}

export function registerGetRules(get: Command, deps: CliDeps): void {
  get
    .command('rules')
    .alias('rule')
    .description("a target's alarm rules as in force (defaults where the target sets none)")
    .argument('<target>', 'the target')
    .addOption(outputOption())
    .action((target: string, opts: { output: OutputFormat }, cmd: Command) =>
      withClient(cmd, deps, (run) => runGetRules({ target, ...opts }, run)),
    );
}

export function registerSetRule(set: Command, deps: CliDeps): void {
  set
    .command('rule')
    .description(
      "change one alarm rule of a target (default: back to the rule's default); rules: " +
        RULE_NAMES.join(', '),
    )
    .argument('<target>', 'the target')
    .argument('<rule>', 'the rule', (raw: string) => {
      if (!isRuleName(raw))
        throw new InvalidArgumentError(`Must be one of ${RULE_NAMES.join(', ')}.`);
      return raw;
    })
    .option('--enable', 'raise alarms from this rule')
    .option('--disable', 'no alarms from this rule (clears the open ones)')
    .addOption(
      new Option(
        '--threshold <n>',
        `in the rule's unit (get rules shows it), or ${DEFAULT}`,
      ).argParser(orDefault(parseThreshold)),
    )
    .addOption(
      new Option('--raise-after <duration>', `how long before it raises, or ${DEFAULT}`).argParser(
        orDefault(parseDelay),
      ),
    )
    .addOption(
      new Option('--clear-after <duration>', `how long before it clears, or ${DEFAULT}`).argParser(
        orDefault(parseDelay),
      ),
    )
    .addOption(new Option('--severity <severity>').choices([...SEVERITIES, DEFAULT]))
    .addOption(
      new Option('--action <action>', 'what the machine controller is told').choices([
        ...ACTIONS,
        'none',
        DEFAULT,
      ]),
    )
    .addOption(outputOption())
    .action(
      (target: string, rule: string, opts: RuleFlags & { output: OutputFormat }, cmd: Command) => {
        const body = ruleBody(rule, opts);
        return withClient(cmd, deps, (run) =>
          runSetRule({ target, rule, body, output: opts.output }, run),
        );
      },
    );
}

/** The PATCH body from the flags; a usage error for nothing to set or a setting that cannot be. */
export function ruleBody(rule: string, flags: RuleFlags): Record<string, unknown> {
  if (flags.enable && flags.disable) throw new UsageError('give --enable or --disable, not both');
  const body: Record<string, unknown> = {};
  if (flags.enable) body.enabled = true;
  if (flags.disable) body.enabled = false;
  if (flags.threshold !== undefined) body.threshold = flags.threshold;
  if (flags.raiseAfter !== undefined) {
    body.raiseAfterSeconds = flags.raiseAfter === null ? null : flags.raiseAfter / 1000;
  }
  if (flags.clearAfter !== undefined) {
    body.clearAfterSeconds = flags.clearAfter === null ? null : flags.clearAfter / 1000;
  }
  if (flags.severity !== undefined)
    body.severity = flags.severity === DEFAULT ? null : flags.severity;
  if (flags.action !== undefined) body.action = flags.action === DEFAULT ? null : flags.action;
  if (Object.keys(body).length === 0) {
    throw new UsageError(
      'nothing to set: give --enable, --disable, --threshold, --raise-after, --clear-after, ' +
        '--severity or --action',
    );
  }
  if (isRuleName(rule)) {
    try {
      validateRuleOverride(rule, { threshold: flags.threshold });
    } catch (error) {
      throw new UsageError(`--${(error as Error).message}`);
    }
  }
  return body;
}

export async function runGetRules(
  options: { target: string; output: OutputFormat },
  deps: RunDeps,
): Promise<void> {
  const { items } = await deps.client.get<List<AlarmRule>>(`/targets/${enc(options.target)}/rules`);
  printList(deps, options.output, items, ruleColumns(), 'rules');
}

export async function runSetRule(
  options: { target: string; rule: string; body: Record<string, unknown>; output: OutputFormat },
  deps: RunDeps,
): Promise<void> {
  const rule = await deps.client.patch<AlarmRule>(
    `/targets/${enc(options.target)}/rules/${enc(options.rule)}`,
    options.body,
  );
  if (options.output === 'json') return writeJson(deps.stdout, rule);
  deps.stdout.write(renderTable(ruleColumns(), [rule]));
}
