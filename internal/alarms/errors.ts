// internal/alarms' errors: a rule setting that cannot be, named so the API answers 400 and
// iotctl prints it as it is.
export type AlarmsErrorCode = 'INVALID_RULE_SETTING';

export class InvalidRuleSettingError extends Error {
  override name = 'InvalidRuleSettingError';
  readonly code: AlarmsErrorCode = 'INVALID_RULE_SETTING';
}
