// Whose fault a database error is. The consumers need the answer at once: a database that is
// away (restarting, refusing connections, out of resources) is waited for, never blamed on
// the message; an error the message itself causes (a NUL byte, a value out of range, a
// constraint) can never succeed, so retrying it 20 times only delays its dead letter.

export type DatabaseFailure =
  /** The database is unreachable or cannot serve now: wait for it. */
  | { readonly kind: 'unavailable'; readonly reason: string }
  /** The data was refused: dead-letter the message with this reason (names the SQLSTATE). */
  | { readonly kind: 'rejected'; readonly reason: string }
  /** Neither (a bug, a query the server refused for another reason). */
  | { readonly kind: 'other' };

/**
 * SQLSTATE classes of an unavailable server (PostgreSQL appendix A): 08 connection exception,
 * 28 invalid authorization (a restarted server's pg_hba not yet right), 53 insufficient
 * resources (disk full, too many connections), 57 operator intervention (admin shutdown,
 * crash shutdown, cannot connect now), 58 system error (I/O).
 */
const UNAVAILABLE_CLASSES = new Set(['08', '28', '53', '57', '58']);
/**
 * Single codes of a server that cannot serve now: 25006 read-only transaction (a standby
 * during failover), 3D000 database missing (not created yet), 42501 no privilege (grants
 * not yet applied), 55P03 lock not available, 40001/40P01 serialization failure/deadlock.
 */
const UNAVAILABLE_CODES = new Set(['25006', '3D000', '42501', '55P03', '40001', '40P01']);
/** SQLSTATE classes of refused data: 22 data exception, 23 integrity constraint violation. */
const REJECTED_CLASSES = new Set(['22', '23']);
/** Socket-level errors of node and pg's own "the connection went away" messages. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
];

export function classifyDatabaseFailure(error: unknown): DatabaseFailure {
  for (const e of causes(error)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const message = e.message ?? '';
    if (code && /^[0-9A-Z]{5}$/.test(code)) {
      const cls = code.slice(0, 2);
      if (UNAVAILABLE_CLASSES.has(cls) || UNAVAILABLE_CODES.has(code)) {
        return { kind: 'unavailable', reason: `${message} (SQLSTATE ${code})` };
      }
      if (REJECTED_CLASSES.has(cls)) {
        return {
          kind: 'rejected',
          reason: `database rejected the message: ${message} (SQLSTATE ${code})`,
        };
      }
      return { kind: 'other' };
    }
    if (code && SOCKET_CODES.has(code)) return { kind: 'unavailable', reason: message };
    if (CONNECTION_MESSAGES.some((m) => message.includes(m))) {
      return { kind: 'unavailable', reason: message };
    }
  }
  return { kind: 'other' };
}

/** The error, its `cause` chain and an AggregateError's errors (pg tries ::1 and 127.0.0.1). */
function causes(error: unknown, depth = 0): { code?: unknown; message?: string }[] {
  if (!error || typeof error !== 'object' || depth > 5) return [];
  const e = error as { code?: unknown; message?: string; cause?: unknown; errors?: unknown };
  return [
    e,
    ...causes(e.cause, depth + 1),
    ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => causes(x, depth + 1)) : []),
  ];
}
