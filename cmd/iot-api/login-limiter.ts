// Login attempts, limited so that guessing passwords is slow and cheap for the server, while
// an attacker cannot lock a real user out (issue 15):
// - Failures are counted per (account, address) and per address. After FREE_FAILURES of them,
//   each further attempt must wait twice as long as the last (1 s, 2 s, 4 s … 15 min); one
//   that comes earlier is answered 429 with Retry-After, without touching the password hash.
//   The real user, at another address, has a count of its own and logs in as usual.
// - One address may have MAX_IN_FLIGHT_PER_ADDRESS logins in progress; more at once are a
//   429 at once. So a flood from one address holds that many hashing slots, no more.
// - scrypt (internal/auth passwords.ts) runs on libuv's four threads, shared with DNS and file
//   I/O; HASH_CONCURRENCY bounds how many password checks run at once, queued in arrival
//   order, so 40 parallel guesses cannot stand between a real login and a thread.
// State lives in this process (one iot-api replica per limit); it is bounded by MAX_TRACKED
// and forgets a count FORGET_AFTER_MS after its last failure.
import { concurrencyLimit, type Gate } from '../../internal/simulation/index.js';

/** Wrong passwords allowed before the backoff starts: typos, a caps-lock, a stale password. */
export const FREE_FAILURES = 5;
/** Failures per address, any accounts, before its backoff starts: a shared office NAT. */
export const FREE_FAILURES_PER_ADDRESS = 20;
/** The first wait after the free failures; doubled with every further failure. */
const BASE_DELAY_MS = 1_000;
/** The longest wait: OWASP's usual lockout window (Authentication Cheat Sheet). */
const MAX_DELAY_MS = 15 * 60_000;
/** A count is forgotten this long after its last failure. */
const FORGET_AFTER_MS = 60 * 60_000;
/** Counts kept at most; the oldest go first (an attacker with many addresses costs memory). */
const MAX_TRACKED = 100_000;
/** Logins in progress per address: a person logs in once; two allow a script and a person. */
const MAX_IN_FLIGHT_PER_ADDRESS = 2;
/** Password checks at once: half of libuv's default four threads, the rest stay free. */
const HASH_CONCURRENCY = 2;

interface Failures {
  count: number;
  lastAtMs: number;
}

export type LoginVerdict =
  /** Go; report how it went: a failure counts, an error (database away) does not. */
  | { kind: 'go'; done(result: 'success' | 'failure' | 'error'): void }
  | { kind: 'wait'; retryAfterMs: number; why: string };

export class LoginLimiter {
  private readonly failures = new Map<string, Failures>();
  private readonly inFlight = new Map<string, number>();
  /** Runs one password check when a hashing slot is free. */
  readonly hash: Gate = concurrencyLimit(HASH_CONCURRENCY);

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether a login for `account` (organization and username) from `address` may go now. */
  admit(account: string, address: string): LoginVerdict {
    const accountKey = `account\u0000${account}\u0000${address}`;
    const addressKey = `address\u0000${address}`;
    const wait = Math.max(
      this.waitMs(accountKey, FREE_FAILURES),
      this.waitMs(addressKey, FREE_FAILURES_PER_ADDRESS),
    );
    if (wait > 0) return { kind: 'wait', retryAfterMs: wait, why: 'too many failed logins' };
    const running = this.inFlight.get(address) ?? 0;
    if (running >= MAX_IN_FLIGHT_PER_ADDRESS) {
      return { kind: 'wait', retryAfterMs: BASE_DELAY_MS, why: 'logins already in progress' };
    }
    this.inFlight.set(address, running + 1);
    return {
      kind: 'go',
      done: (result) => {
        const left = (this.inFlight.get(address) ?? 1) - 1;
        if (left > 0) this.inFlight.set(address, left);
        else this.inFlight.delete(address);
        if (result === 'success') {
          this.failures.delete(accountKey);
          this.failures.delete(addressKey);
        } else if (result === 'failure') {
          this.fail(accountKey);
          this.fail(addressKey);
        }
      },
    };
  }

  private waitMs(key: string, free: number): number {
    const entry = this.failures.get(key);
    if (!entry) return 0;
    const now = this.now();
    if (now - entry.lastAtMs > FORGET_AFTER_MS) {
      this.failures.delete(key);
      return 0;
    }
    if (entry.count < free) return 0;
    const delay = Math.min(BASE_DELAY_MS * 2 ** (entry.count - free), MAX_DELAY_MS);
    return Math.max(0, entry.lastAtMs + delay - now);
  }

  private fail(key: string): void {
    const entry = this.failures.get(key);
    // Re-inserted, so the Map's order is oldest failure first.
    this.failures.delete(key);
    this.failures.set(key, { count: (entry?.count ?? 0) + 1, lastAtMs: this.now() });
    for (const oldest of this.failures.keys()) {
      if (this.failures.size <= MAX_TRACKED) break;
      this.failures.delete(oldest);
    }
  }
}
