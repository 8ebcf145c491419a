import { describe, expect, it } from 'vitest';
import { FREE_FAILURES, FREE_FAILURES_PER_ADDRESS, LoginLimiter } from './login-limiter.js';

function limiterAt(startMs = 0) {
  const clock = { ms: startMs };
  return { limiter: new LoginLimiter(() => clock.ms), clock };
}

/** Fails `times` logins of `account` from `address`, each allowed to go. */
function fail(limiter: LoginLimiter, account: string, address: string, times: number) {
  for (let i = 0; i < times; i++) {
    const verdict = limiter.admit(account, address);
    if (verdict.kind !== 'go') throw new Error(`attempt ${i + 1} was not admitted`);
    verdict.done('failure');
  }
}

describe('LoginLimiter', () => {
  it('lets the free failures through, then asks the address to wait 1 s, 2 s, 4 s', () => {
    const { limiter, clock } = limiterAt();
    fail(limiter, 'default/admin', '10.0.0.9', FREE_FAILURES);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const verdict = limiter.admit('default/admin', '10.0.0.9');
      if (verdict.kind !== 'wait') throw new Error('expected a wait');
      waits.push(verdict.retryAfterMs);
      clock.ms += verdict.retryAfterMs;
      fail(limiter, 'default/admin', '10.0.0.9', 1);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000]);
  });

  it('never makes the right user at another address wait', () => {
    const { limiter } = limiterAt();
    fail(limiter, 'default/admin', '10.0.0.9', FREE_FAILURES);
    expect(limiter.admit('default/admin', '10.0.0.9').kind).toBe('wait');
    expect(limiter.admit('default/admin', '192.168.1.20').kind).toBe('go');
  });

  it('slows an address guessing across many accounts', () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < FREE_FAILURES_PER_ADDRESS; i++) fail(limiter, `user${i}`, '10.0.0.9', 1);
    expect(limiter.admit('someone-new', '10.0.0.9').kind).toBe('wait');
  });

  it('a success clears the count; an error (database away) does not count', () => {
    const { limiter } = limiterAt();
    fail(limiter, 'a', '10.0.0.9', FREE_FAILURES - 1);
    const ok = limiter.admit('a', '10.0.0.9');
    if (ok.kind !== 'go') throw new Error('expected go');
    ok.done('success');
    fail(limiter, 'a', '10.0.0.9', FREE_FAILURES - 1);
    for (let i = 0; i < 10; i++) {
      const verdict = limiter.admit('a', '10.0.0.9');
      if (verdict.kind !== 'go') throw new Error('errors must not count');
      verdict.done('error');
    }
    expect(limiter.admit('a', '10.0.0.9').kind).toBe('go');
  });

  it('holds at most two logins of one address in progress', () => {
    const { limiter } = limiterAt();
    const first = limiter.admit('a', '10.0.0.9');
    const second = limiter.admit('b', '10.0.0.9');
    expect([first.kind, second.kind]).toEqual(['go', 'go']);
    expect(limiter.admit('c', '10.0.0.9')).toMatchObject({ why: 'logins already in progress' });
    if (first.kind === 'go') first.done('success');
    expect(limiter.admit('c', '10.0.0.9').kind).toBe('go');
  });

  it('forgets failures an hour after the last one', () => {
    const { limiter, clock } = limiterAt();
    fail(limiter, 'a', '10.0.0.9', FREE_FAILURES);
    expect(limiter.admit('a', '10.0.0.9').kind).toBe('wait');
    clock.ms += 60 * 60_000 + 1;
    expect(limiter.admit('a', '10.0.0.9').kind).toBe('go');
  });
});
