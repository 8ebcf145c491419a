import { describe, expect, it } from 'vitest';
import { PublishNackedError, PublishTimeoutError } from '../pubsub/index.js';
import { failureOutcome, isItemFault } from './failure-outcome.js';

/** A pg DatabaseError as the driver builds it: message plus SQLSTATE in `code`. */
const pgError = (code: string, message = 'boom') => Object.assign(new Error(message), { code });
const socketError = (code: string) =>
  Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('failureOutcome', () => {
  it.each([
    ['connection refused', socketError('ECONNREFUSED'), 'database'],
    ['connection reset', socketError('ECONNRESET'), 'database'],
    ['pg ends the socket', new Error('Connection terminated unexpectedly'), 'database'],
    [
      'admin shutdown 57P01',
      pgError('57P01', 'terminating connection due to administrator command'),
      'database',
    ],
    [
      'cannot connect now 57P03',
      pgError('57P03', 'the database system is starting up'),
      'database',
    ],
    ['connection failure 08006', pgError('08006'), 'database'],
    ['auth failed 28P01', pgError('28P01'), 'database'],
    ['too many connections 53300', pgError('53300'), 'database'],
    ['disk full 53100', pgError('53100'), 'database'],
    ['I/O error 58030', pgError('58030'), 'database'],
    ['read-only standby 25006', pgError('25006'), 'database'],
    ['database missing 3D000', pgError('3D000'), 'database'],
    ['both addresses refused', new AggregateError([socketError('ECONNREFUSED')], ''), 'database'],
    [
      'wrapped in a cause',
      new Error('write failed', { cause: socketError('ECONNREFUSED') }),
      'database',
    ],
    ['publish nacked (queue full)', new PublishNackedError('sensor.a.measurements'), 'broker'],
    ['no confirm', new PublishTimeoutError('sensor.a.measurements', 5000), 'broker'],
    ['disk full', socketError('ENOSPC'), 'disk'],
  ])('%s → wait for the %s', (_name, error, dependency) => {
    expect(failureOutcome(error)).toMatchObject({ kind: 'wait-for', dependency });
    expect(isItemFault(error)).toBe(false);
  });

  it.each([
    [
      'NUL byte 22021',
      pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'),
      '22021',
    ],
    ['out of range 22003', pgError('22003', 'value out of range'), '22003'],
    ['bad datetime 22008', pgError('22008'), '22008'],
    ['check violation 23514', pgError('23514'), '23514'],
    ['not null 23502', pgError('23502'), '23502'],
  ])('%s → dead letter naming SQLSTATE %s', (_name, error, code) => {
    const outcome = failureOutcome(error);
    expect(outcome.kind).toBe('dead-letter');
    expect(outcome.kind === 'dead-letter' && outcome.reason).toContain(`(SQLSTATE ${code})`);
    expect(isItemFault(error)).toBe(true);
  });

  it.each([
    ['syntax error 42601 (a bug)', pgError('42601')],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'oops'],
  ])('%s → requeue after a pause', (_name, error) => {
    expect(failureOutcome(error)).toEqual({ kind: 'requeue', delayMs: 1000 });
  });
});
