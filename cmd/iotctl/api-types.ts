// The API's objects, typed from the API's own schemas (internal/api-contract), so the CLI
// and the server cannot drift apart. A type-only import: nothing of the server is loaded.
// iotctl prints them unchanged with `-o json`; these types serve the table views.
import type { Static } from 'typebox';
import type * as Api from '../../internal/api-contract/index.js';

export type Sensor = Static<typeof Api.Sensor>;
export type SensorState = Sensor['state'];
export type Connectivity = Sensor['connectivity'];
export type Command = Static<typeof Api.Command>;
export type CommandType = Command['type'];
export type CommandStatus = Command['status'];
export type CommandHistoryEntry = Command['history'][number];
export type Target = Static<typeof Api.Target>;
export type Alarm = Static<typeof Api.Alarm>;
export type AlarmRule = Static<typeof Api.AlarmRule>;
export type Fleet = Static<typeof Api.Fleet>;
export type Feature = Static<typeof Api.Feature>;
export type BaselineReset = Static<typeof Api.BaselineResetReply>;
export type FeatureRecompute = Static<typeof Api.FeatureRecompute>;
export type LogLine = Static<typeof Api.LogLine>;
export type ApiKey = Static<typeof Api.ApiKey>;
export type CreatedApiKey = Static<typeof Api.NewApiKeyReply>;
export type Account = Static<typeof Api.Account>;
export type LoginResult = Static<typeof Api.LoginReply>;
export type NewOrganization = Static<typeof Api.NewOrganizationReply>;
export type DeviceCredentials = Static<typeof Api.DeviceCredentialsReply>;
export type DeadLetters = Static<typeof Api.DeadLettersReply>;
export type ReplayResult = Static<typeof Api.ReplayReply>;

export interface List<T> {
  items: T[];
}

export const ROLES = ['viewer', 'operator', 'admin'] as const;
