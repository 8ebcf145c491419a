// The dead-letter queue for operators (platform administrators): counts by queue and reason,
// a few samples, and a replay of the ones whose cause is fixed.
import { Type, type Static } from 'typebox';

/** Samples one request may ask for: enough to see a pattern, small enough for a terminal. */
export const MAX_DEAD_LETTER_SAMPLES = 100;

const Strict = { additionalProperties: false } as const;
const ReasonPrefix = Type.String({
  minLength: 1,
  maxLength: 500,
  description: 'dead letters whose reason starts with this',
});

export const DeadLettersQuery = Type.Object(
  {
    samples: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_DEAD_LETTER_SAMPLES })),
    reason: Type.Optional(ReasonPrefix),
  },
  Strict,
);
export type DeadLettersQueryType = Static<typeof DeadLettersQuery>;

export const DeadLetterGroup = Type.Object({
  queue: Type.String(),
  reason: Type.String(),
  count: Type.Integer(),
});

export const DeadLetterSample = Type.Object({
  queue: Type.String(),
  reason: Type.String(),
  routingKey: Type.String(),
  deadLetteredAt: Type.Union([Type.String(), Type.Null()]),
  bytes: Type.Integer(),
});

export const DeadLettersReply = Type.Object({
  total: Type.Integer(),
  truncated: Type.Boolean({ description: 'more dead letters than one look reads' }),
  groups: Type.Array(DeadLetterGroup),
  samples: Type.Array(DeadLetterSample),
});
export type DeadLettersReplyType = Static<typeof DeadLettersReply>;

export const ReplayBody = Type.Object(
  {
    reason: ReasonPrefix,
    queue: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  Strict,
);
export type ReplayBodyType = Static<typeof ReplayBody>;

export const ReplayReply = Type.Object({
  replayed: Type.Integer(),
  byQueue: Type.Record(Type.String(), Type.Integer()),
});
export type ReplayReplyType = Static<typeof ReplayReply>;
