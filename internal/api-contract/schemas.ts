// iot-api's request and response shapes, once: fastify validates requests against them,
// serialises responses with them, and @fastify/swagger publishes them as the OpenAPI document;
// iotctl takes its types from them (type-only), so the CLI and the server cannot drift apart.
import { Type, type Static, type TSchema } from 'typebox';
import {
  CONTROLLER_ADDRESS_PATTERN,
  ISO_CLASS_NAMES,
  MAX_BEARING_ANGLE_DEG,
  MAX_BEARING_BALL_MM,
  MAX_BEARING_BALLS,
  MAX_BEARING_PITCH_MM,
  MAX_CONTROLLER_ADDRESS_CHARS,
  MAX_RPM,
  MAX_SAMPLE_FREQUENCY_HZ,
  MIN_SAMPLE_FREQUENCY_HZ,
  SAFE_NAME_PATTERN,
  SERIAL_PATTERN,
  UNSAFE_TEXT_CLASS,
} from '../validation/index.js';
import { COMMAND_STATUSES } from './command-status.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });
/**
 * Nullable for request bodies: `type: [T, 'null']` instead of Nullable's anyOf, because ajv's
 * type coercion (on for query strings, app.ts) would turn 0, "" or false into null in an
 * anyOf's null branch. With the value's type listed, ajv never coerces it.
 */
const OrNull = <T extends TSchema & { type: string }>(schema: T) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
/** Every body object refuses fields it does not know: a typo must not pass silently. */
const Strict = { additionalProperties: false } as const;
/** A name of something (target, key, login): no controls or bidi overrides (validation/text.ts). */
const SafeName = (maxLength: number) =>
  Type.String({ minLength: 1, maxLength, pattern: SAFE_NAME_PATTERN });
/** A target's name: a safe name that is also one path segment (no '/'). */
const TargetName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: `^(?!\\s)[^/${UNSAFE_TEXT_CLASS}]+$`,
});

export const Role = Type.Enum(['viewer', 'operator', 'admin']);
const SensorStateSchema = Type.Enum(['awake', 'asleep']);
const SampleFrequency = Type.Number({
  minimum: MIN_SAMPLE_FREQUENCY_HZ,
  maximum: MAX_SAMPLE_FREQUENCY_HZ,
  description: 'Hz',
});

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

export const SerialParams = Type.Object({ serial: Type.String() });
export const NameParams = Type.Object({ name: TargetName });
export const IdParams = Type.Object({ id: Type.String() });

export const LoginBody = Type.Object(
  {
    organization: Type.Optional(SafeName(100)),
    username: SafeName(64),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  Strict,
);
export const LoginReply = Type.Object({
  token: Type.String(),
  expiresAt: Timestamp,
  username: Type.String(),
  role: Role,
  organization: Type.String(),
});
export const MeReply = Type.Object({
  username: Type.String(),
  role: Role,
  organization: Type.String(),
  via: Type.Enum(['token', 'api_key']),
});

export const Sensor = Type.Object({
  serial: Type.String(),
  state: SensorStateSchema,
  sampleFrequencyHz: Type.Number(),
  desiredState: Nullable(SensorStateSchema),
  desiredSampleFrequencyHz: Nullable(Type.Number()),
  target: Nullable(Type.String()),
  lastSeen: Nullable(Timestamp),
  connectivity: Type.Enum(['online', 'stale', 'offline']),
  samplesLastMinute: Type.Integer(),
  firmwareVersion: Nullable(Type.String()),
  registeredAt: Timestamp,
});
export const SensorList = Type.Object({ items: Type.Array(Sensor) });
/** A device to onboard (iotctl create sensor): its serial, and where it is mounted. */
export const NewSensorBody = Type.Object(
  {
    serial: Type.String({
      pattern: SERIAL_PATTERN.source,
      description: '1-32 of A-Z a-z 0-9 -, at least one letter',
    }),
    target: Type.Optional(TargetName),
  },
  Strict,
);
/** A device's broker credentials: in this answer only, never again. */
export const DeviceCredentialsReply = Type.Object({
  serial: Type.String(),
  mqttUrl: Nullable(Type.String()),
  username: Type.String(),
  clientId: Type.String(),
  password: Type.String({ description: 'Shown once; store it on the device now.' }),
  ca: Nullable(Type.String({ description: "PEM of the CA that signed the broker's certificate" })),
});
export const AssignBody = Type.Object({ target: Nullable(TargetName) }, Strict);

export const LogsQuery = Type.Object(
  {
    since: Type.Optional(Timestamp),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  Strict,
);
export const LogLine = Type.Object({
  time: Timestamp,
  level: Type.String(),
  message: Type.String(),
  fields: Type.Record(Type.String(), Type.String()),
});
export const LogList = Type.Object({ items: Type.Array(LogLine) });

const CommandStatusSchema = Type.Enum([...COMMAND_STATUSES]);
export const CommandTypeSchema = Type.Enum(['sleep', 'awake', 'set_sample_frequency']);
export const CommandBody = Type.Object(
  {
    type: CommandTypeSchema,
    sampleFrequencyHz: Type.Optional(SampleFrequency),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  },
  Strict,
);
export type CommandBodyType = Static<typeof CommandBody>;
export const Command = Type.Object({
  id: Type.String({ format: 'uuid' }),
  serial: Type.String(),
  type: CommandTypeSchema,
  sampleFrequencyHz: Nullable(Type.Number()),
  status: CommandStatusSchema,
  reason: Nullable(Type.String()),
  issuedAt: Timestamp,
  expiresAt: Timestamp,
  updatedAt: Timestamp,
  issuedBy: Nullable(Type.String()),
  history: Type.Array(
    Type.Object({ status: CommandStatusSchema, reason: Nullable(Type.String()), at: Timestamp }),
  ),
});
export const CommandList = Type.Object({ items: Type.Array(Command) });
export const LimitQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }) },
  Strict,
);

const TargetKind = Type.Enum(['fixed', 'mobile']);
const Rpm = Type.Number({
  exclusiveMinimum: 0,
  maximum: MAX_RPM,
  description: 'running speed, rpm',
});
export const Bearing = Type.Object(
  {
    balls: Type.Integer({ minimum: 1, maximum: MAX_BEARING_BALLS }),
    ballMm: Type.Number({ exclusiveMinimum: 0, maximum: MAX_BEARING_BALL_MM }),
    pitchMm: Type.Number({ exclusiveMinimum: 0, maximum: MAX_BEARING_PITCH_MM }),
    angleDeg: Type.Optional(
      Type.Number({
        minimum: 0,
        exclusiveMaximum: MAX_BEARING_ANGLE_DEG,
        description: 'default 0',
      }),
    ),
  },
  { ...Strict, description: 'one rolling-element bearing; ballMm < pitchMm' },
);
export const IsoClass = Type.Enum([...ISO_CLASS_NAMES]);
const IsoClassOrNull = Type.Unsafe<(typeof ISO_CLASS_NAMES)[number] | null>({
  enum: [...ISO_CLASS_NAMES, null],
});
const ControllerAddress = Type.String({
  maxLength: MAX_CONTROLLER_ADDRESS_CHARS,
  pattern: CONTROLLER_ADDRESS_PATTERN.source,
  description: 'HOST:PORT of the machine controller (gRPC)',
});
/** The machine a target is, as the analysis uses it (migration 0014); null: not known. */
const MachineFields = {
  rpm: Nullable(Type.Number()),
  bearing: Nullable(
    Type.Object({
      balls: Type.Integer(),
      ballMm: Type.Number(),
      pitchMm: Type.Number(),
      angleDeg: Type.Number(),
    }),
  ),
  isoClass: Nullable(IsoClass),
  controllerAddress: Nullable(Type.String()),
};
export const Target = Type.Object({
  name: Type.String(),
  kind: TargetKind,
  createdAt: Timestamp,
  sensors: Type.Array(Type.String()),
  ...MachineFields,
});
export const TargetList = Type.Object({ items: Type.Array(Target) });
export const TargetBody = Type.Object(
  {
    name: TargetName,
    kind: Type.Optional(TargetKind),
    rpm: Type.Optional(Rpm),
    bearing: Type.Optional(Bearing),
    isoClass: Type.Optional(IsoClass),
    controllerAddress: Type.Optional(ControllerAddress),
  },
  Strict,
);
/** PATCH: a field given sets it, null clears it, a field left out stays as it is. */
export const TargetPatchBody = Type.Object(
  {
    rpm: Type.Optional(OrNull(Rpm)),
    bearing: Type.Optional(OrNull(Bearing)),
    isoClass: Type.Optional(IsoClassOrNull),
    controllerAddress: Type.Optional(OrNull(ControllerAddress)),
  },
  { ...Strict, minProperties: 1 },
);
export type TargetPatchBodyType = Static<typeof TargetPatchBody>;

/** One analysed window of a sensor (a sensor_feature row, migration 0014). */
export const Feature = Type.Object({
  windowStart: Timestamp,
  windowEnd: Timestamp,
  sampleRateHz: Type.Number(),
  accelerationRmsG: Type.Number(),
  accelerationPeakG: Type.Number(),
  crestFactor: Type.Number(),
  kurtosis: Type.Number(),
  velocityRmsMmS: Nullable(Type.Number()),
  isoClass: Nullable(Type.String()),
  isoZone: Nullable(Type.Enum(['A', 'B', 'C', 'D'])),
  dominantHz: Type.Number(),
  diagnosis: Nullable(Type.String()),
  diagnosisEvidence: Nullable(Type.String()),
  anomalyScore: Nullable(Type.Number()),
  baselineStatus: Type.Enum(['none', 'learning', 'ready', 'rate-mismatch']),
  /** Bearing defect lines' strength in the envelope spectrum (4 or more stands out). */
  bpfoStrength: Nullable(Type.Number()),
  bpfiStrength: Nullable(Type.Number()),
  bsfStrength: Nullable(Type.Number()),
  ftfStrength: Nullable(Type.Number()),
});
export const FeatureList = Type.Object({ items: Type.Array(Feature) });
export const FeaturesQuery = Type.Object(
  {
    since: Type.Optional(Timestamp),
    until: Type.Optional(Timestamp),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  Strict,
);
export const BaselineResetReply = Type.Object({
  serial: Type.String(),
  /** false: the sensor had no baseline yet (nothing analysed), so there was nothing to reset. */
  reset: Type.Boolean(),
  /** Windows the analysis learns from before it scores again; null when nothing was reset. */
  windows: Nullable(Type.Integer()),
});

/** Asks sensor-analytics to rebuild the windows starting in [since, until) from the blocks. */
export const FeatureRecomputeBody = Type.Object({ since: Timestamp, until: Timestamp }, Strict);
/** A recompute request and how it went (a feature_recompute row, migration 0019). */
export const FeatureRecompute = Type.Object({
  id: Type.String(),
  serial: Type.String(),
  since: Timestamp,
  until: Timestamp,
  status: Type.Enum(['queued', 'running', 'done', 'failed']),
  requestedBy: Type.String(),
  requestedAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  /** Blocks read, old windows removed, new windows written: null until done. */
  blocks: Nullable(Type.Integer()),
  removed: Nullable(Type.Integer()),
  windows: Nullable(Type.Integer()),
  /** Why it failed. */
  error: Nullable(Type.String()),
});

const SeveritySchema = Type.Enum(['critical', 'major', 'minor', 'warning']);
const AlarmStateSchema = Type.Enum(['active', 'acknowledged', 'cleared']);
const AlarmActionType = Type.Enum(['notify', 'reduce-speed', 'stop']);
export const Alarm = Type.Object({
  id: Type.String(),
  serial: Type.String(),
  target: Nullable(Type.String()),
  /** The rule that raised it (GET /targets/{name}/rules). */
  rule: Type.String(),
  severity: SeveritySchema,
  /** active → acknowledged → cleared; a cleared alarm may still be acknowledged. */
  state: AlarmStateSchema,
  acknowledged: Type.Boolean(),
  message: Type.String(),
  diagnosis: Nullable(Type.String()),
  /** The reading that last raised or updated it, and the worst one, in the rule's unit. */
  value: Nullable(Type.Number()),
  peakValue: Nullable(Type.Number()),
  raisedAt: Timestamp,
  lastSeenAt: Nullable(Timestamp),
  clearedAt: Nullable(Timestamp),
  acknowledgedAt: Nullable(Timestamp),
  acknowledgedBy: Nullable(Type.String()),
  /** The machine action the rule named, and what became of it. */
  action: Nullable(
    Type.Object({
      type: AlarmActionType,
      status: Type.Enum(['pending', 'delivered', 'failed']),
      reason: Nullable(Type.String()),
      attempts: Type.Integer(),
      updatedAt: Nullable(Timestamp),
    }),
  ),
  history: Type.Array(
    Type.Object({
      transition: Type.Enum([
        'raised',
        'acknowledged',
        'cleared',
        'action-delivered',
        'action-failed',
      ]),
      at: Timestamp,
      by: Nullable(Type.String()),
      detail: Nullable(Type.String()),
    }),
  ),
});
export const AlarmList = Type.Object({ items: Type.Array(Alarm) });
export const AlarmsQuery = Type.Object(
  {
    /** Without state: the open ones (active and acknowledged); all=true adds the cleared. */
    all: Type.Boolean({ default: false }),
    state: Type.Optional(Type.Enum(['active', 'acknowledged', 'cleared', 'open'])),
    severity: Type.Optional(SeveritySchema),
    sensor: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  Strict,
);

/** One alarm rule of a target, as in force (a field the target did not set is the default's). */
export const AlarmRule = Type.Object({
  rule: Type.String(),
  description: Type.String(),
  enabled: Type.Boolean(),
  /** In `unit`; null: the rule's own (the ISO class's boundary), or a rule without one. */
  threshold: Nullable(Type.Number()),
  unit: Nullable(Type.String()),
  raiseAfterSeconds: Type.Number(),
  clearAfterSeconds: Type.Number(),
  severity: SeveritySchema,
  action: Nullable(AlarmActionType),
  /** The fields this target sets itself; the rest are the defaults. */
  overridden: Type.Array(Type.String()),
});
export const AlarmRuleList = Type.Object({ items: Type.Array(AlarmRule) });
export const RuleParams = Type.Object({ name: Type.String(), rule: Type.String() });
/** PATCH: a field given sets it, null returns it to the default, a field left out stays. */
export const AlarmRulePatchBody = Type.Object(
  {
    enabled: Type.Optional(OrNull(Type.Boolean())),
    threshold: Type.Optional(OrNull(Type.Number())),
    raiseAfterSeconds: Type.Optional(OrNull(Type.Number({ minimum: 0, maximum: 86_400 }))),
    clearAfterSeconds: Type.Optional(OrNull(Type.Number({ minimum: 0, maximum: 86_400 }))),
    severity: Type.Optional(
      Type.Unsafe<Static<typeof SeveritySchema> | null>({
        enum: ['critical', 'major', 'minor', 'warning', null],
      }),
    ),
    action: Type.Optional(
      Type.Unsafe<'notify' | 'reduce-speed' | 'stop' | 'none' | null>({
        enum: ['notify', 'reduce-speed', 'stop', 'none', null],
        description: 'none: no action, even where the default has one; null: the default',
      }),
    ),
  },
  { ...Strict, minProperties: 1 },
);
export type AlarmRulePatchBodyType = Static<typeof AlarmRulePatchBody>;

/** Fleet health: the questions of sensors-360 (issue 11). */
export const Fleet = Type.Object({
  sensors: Type.Integer(),
  online: Type.Integer(),
  stale: Type.Integer(),
  offline: Type.Integer(),
  asleep: Type.Integer(),
  /** Sensors heard from at some time but silent for more than ten minutes, over all sensors. */
  silentOverTenMinutesShare: Type.Number(),
  items: Type.Array(
    Type.Object({
      serial: Type.String(),
      target: Nullable(Type.String()),
      state: SensorStateSchema,
      connectivity: Type.Enum(['online', 'stale', 'offline']),
      lastSeen: Nullable(Timestamp),
      lastBatchAt: Nullable(Timestamp),
      /** Mean time between its consecutive batches (its last 20), seconds. */
      meanBatchIntervalSeconds: Nullable(Type.Number()),
      /** From when it was first registered to when it was last heard from. */
      firstSeen: Timestamp,
      lifespanSeconds: Nullable(Type.Number()),
      offlineAfterSeconds: Type.Number(),
    }),
  ),
});

export const EventsQuery = Type.Object(
  { serial: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })) },
  Strict,
);

export const Account = Type.Object({
  username: Type.String(),
  role: Role,
  createdAt: Timestamp,
  disabled: Type.Boolean(),
});
export const AccountList = Type.Object({ items: Type.Array(Account) });
const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' });
const NewPassword = Type.String({ minLength: 12, maxLength: 1024 });
export const AccountBody = Type.Object(
  { username: Username, password: NewPassword, role: Role },
  Strict,
);
export const UsernameParams = Type.Object({ username: SafeName(64) });
/** PATCH: a new role, or disabled (tokens and keys stop at once) or enabled again. */
export const AccountPatchBody = Type.Object(
  { role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()) },
  { ...Strict, minProperties: 1 },
);

export const Organization = Type.Object({ name: Type.String(), createdAt: Timestamp });
export const OrganizationList = Type.Object({ items: Type.Array(Organization) });
/** A new organization and its first admin (platform administrators only). */
export const OrganizationBody = Type.Object(
  {
    name: SafeName(100),
    admin: Type.Object({ username: Username, password: NewPassword }, Strict),
  },
  Strict,
);
export const NewOrganizationReply = Type.Object({
  name: Type.String(),
  createdAt: Timestamp,
  admin: Type.String(),
});

export const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  prefix: Type.String(),
  createdAt: Timestamp,
  expiresAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp),
  revoked: Type.Boolean(),
});
export const ApiKeyList = Type.Object({ items: Type.Array(ApiKey) });
export const ApiKeyBody = Type.Object(
  {
    name: SafeName(100),
    role: Role,
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  Strict,
);
export const NewApiKeyReply = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  prefix: Type.String(),
  key: Type.String({ description: 'Shown once; store it now.' }),
});

export const NoContent = Type.Null({ description: 'No content' });

/** The error replies every authenticated route may give, for the OpenAPI document. */
export const errorReplies = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
} as const;
