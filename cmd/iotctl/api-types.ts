// The API's objects as cmd/iot-api/API.md describes them. iotctl prints them unchanged with
// `-o json`, so these types only serve the table views; values the API may add later pass through.

export type SensorState = 'awake' | 'asleep';
export type Connectivity = 'online' | 'stale' | 'offline';

export interface Sensor {
  serial: string;
  state: SensorState;
  sampleFrequencyHz: number;
  desiredState: SensorState | null;
  desiredSampleFrequencyHz: number | null;
  target: string | null;
  lastSeen: string | null;
  connectivity: Connectivity;
  samplesLastMinute: number;
  firmwareVersion: string | null;
  registeredAt: string;
}

export type CommandType = 'sleep' | 'awake' | 'set_sample_frequency';
export type CommandStatus = 'queued' | 'sent' | 'applied' | 'rejected' | 'expired';
export const FINAL_STATUSES: readonly CommandStatus[] = ['applied', 'rejected', 'expired'];

export interface CommandHistoryEntry {
  status: CommandStatus;
  reason: string | null;
  at: string;
}

export interface Command {
  id: string;
  serial: string;
  type: CommandType;
  sampleFrequencyHz: number | null;
  status: CommandStatus;
  reason: string | null;
  issuedAt: string;
  expiresAt: string;
  updatedAt: string;
  issuedBy: string | null;
  history: CommandHistoryEntry[];
}

export interface Target {
  name: string;
  kind: 'fixed' | 'mobile';
  createdAt: string;
  sensors: string[];
}

export interface Alarm {
  id: string | number;
  serial: string;
  kind: string;
  severity: string;
  message: string;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export interface LogLine {
  time: string;
  level: string;
  message: string;
  fields: Record<string, unknown> | null;
}

export interface ApiKey {
  id: string | number;
  name: string;
  role: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revoked: boolean;
}

export interface CreatedApiKey {
  id: string | number;
  name: string;
  role: string;
  prefix: string;
  key: string;
}

export interface Account {
  username: string;
  role: string;
  createdAt: string;
  disabled: boolean;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  username: string;
  role: string;
  organization: string;
}

export interface List<T> {
  items: T[];
}

export const ROLES = ['viewer', 'operator', 'admin'] as const;
