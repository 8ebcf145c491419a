// What one sensor did with every message, as counters. The end-to-end tests compare
// samplesConfirmed with rows in the database, so it moves only on a PUBACK.
import type { AckOutcome, DeviceKind } from '../../internal/routing/index.js';

export interface SensorCounters {
  batchesMeasured: number;
  samplesMeasured: number;
  /** Handed to MQTT (once per batch, however often it is retried). */
  batchesPublished: number;
  samplesPublished: number;
  /** Acknowledged by the broker (PUBACK): stored in every bound queue. */
  batchesConfirmed: number;
  samplesConfirmed: number;
  /** Oldest unsent batches given up to make room in a full outbox. */
  batchesDropped: number;
  samplesDropped: number;
  locationsConfirmed: number;
  locationsDropped: number;
  logsConfirmed: number;
  logsDropped: number;
  registrationsConfirmed: number;
  /** Commands answered, by outcome; a redelivered command is counted once. */
  commandsApplied: number;
  commandsRejected: number;
  commandsExpired: number;
  /** Command acks acknowledged by the broker, re-sent ones included. */
  acksConfirmed: number;
  /** Sequence numbers of the first and last batch measured in this boot. */
  firstSequence: number | null;
  lastSequence: number | null;
}

export function newCounters(): SensorCounters {
  return {
    batchesMeasured: 0,
    samplesMeasured: 0,
    batchesPublished: 0,
    samplesPublished: 0,
    batchesConfirmed: 0,
    samplesConfirmed: 0,
    batchesDropped: 0,
    samplesDropped: 0,
    locationsConfirmed: 0,
    locationsDropped: 0,
    logsConfirmed: 0,
    logsDropped: 0,
    registrationsConfirmed: 0,
    commandsApplied: 0,
    commandsRejected: 0,
    commandsExpired: 0,
    acksConfirmed: 0,
    firstSequence: null,
    lastSequence: null,
  };
}

/** The kind of message and, for a batch, its samples. */
export interface Counted {
  readonly kind: DeviceKind;
  readonly samples: number;
}

export function countMeasured(c: SensorCounters, sequence: number, samples: number): void {
  c.batchesMeasured++;
  c.samplesMeasured += samples;
  c.firstSequence ??= sequence;
  c.lastSequence = sequence;
}

export function countPublished(c: SensorCounters, m: Counted): void {
  if (m.kind !== 'measurements') return;
  c.batchesPublished++;
  c.samplesPublished += m.samples;
}

export function countConfirmed(c: SensorCounters, m: Counted): void {
  switch (m.kind) {
    case 'measurements':
      c.batchesConfirmed++;
      c.samplesConfirmed += m.samples;
      break;
    case 'locations':
      c.locationsConfirmed++;
      break;
    case 'logs':
      c.logsConfirmed++;
      break;
    case 'registry':
      c.registrationsConfirmed++;
      break;
    case 'acks':
      c.acksConfirmed++;
      break;
  }
}

export function countDropped(c: SensorCounters, m: Counted): void {
  switch (m.kind) {
    case 'measurements':
      c.batchesDropped++;
      c.samplesDropped += m.samples;
      break;
    case 'locations':
      c.locationsDropped++;
      break;
    case 'logs':
      c.logsDropped++;
      break;
    default:
      break;
  }
}

export function countCommand(c: SensorCounters, outcome: AckOutcome): void {
  switch (outcome) {
    case 'applied':
      c.commandsApplied++;
      break;
    case 'rejected':
      c.commandsRejected++;
      break;
    case 'expired':
      c.commandsExpired++;
      break;
  }
}

/** The counters that are plain numbers (summed over sensors); the sequences are not. */
export type CountField = Exclude<keyof SensorCounters, 'firstSequence' | 'lastSequence'>;

/** The named counters of one sensor, as a record: how summaries and progress lines show them. */
export function pickCounts<F extends CountField>(
  c: SensorCounters,
  fields: readonly F[],
): Record<F, number> {
  return Object.fromEntries(fields.map((f) => [f, c[f]])) as Record<F, number>;
}

/** The named counters summed over rows that carry them (sensors' counters or summaries). */
export function sumCounts<F extends string>(
  rows: readonly Readonly<Record<F, number>>[],
  fields: readonly F[],
): Record<F, number> {
  const totals = Object.fromEntries(fields.map((f) => [f, 0])) as Record<F, number>;
  for (const row of rows) for (const f of fields) totals[f] += row[f];
  return totals;
}
