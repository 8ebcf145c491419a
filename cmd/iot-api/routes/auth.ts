import { ErrorBody, LoginBody, LoginReply, MeReply } from '../../../internal/api-contract/index.js';
import { issueToken } from '../../../internal/auth/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { ApiError } from '../errors.js';
import { DEFAULT_ORGANIZATION, authenticatePassword } from '../store/accounts-store.js';
import { principalOf } from './principal.js';

export function registerAuthRoutes(api: RouteApp, deps: AppDeps): void {
  api.post(
    '/auth/login',
    {
      schema: {
        summary: 'Exchange a username and password for a short-lived token',
        security: [],
        body: LoginBody,
        response: { 200: LoginReply, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { organization = DEFAULT_ORGANIZATION, username, password } = request.body;
      const address = request.ip;
      const verdict = deps.loginLimiter.admit(`${organization}\u0000${username}`, address);
      if (verdict.kind === 'wait') {
        deps.metrics.logins.inc({ outcome: 'throttled' });
        const seconds = Math.ceil(verdict.retryAfterMs / 1000);
        return reply
          .status(429)
          .header('retry-after', String(seconds))
          .send({
            error: {
              code: 'too_many_requests',
              message: `${verdict.why} from this address; try again in ${seconds} s`,
            },
          });
      }
      let principal;
      try {
        principal = await deps.loginLimiter.hash(() =>
          authenticatePassword(deps.pool, { organization, username, password }),
        );
      } catch (error) {
        verdict.done('error');
        throw error;
      }
      verdict.done(principal ? 'success' : 'failure');
      deps.metrics.logins.inc({ outcome: principal ? 'success' : 'failure' });
      // One answer for unknown user and wrong password: usernames do not leak.
      if (!principal) {
        request.log.warn({ organization, username, address }, 'login failed');
        throw new ApiError('unauthenticated', 'wrong organization, username or password');
      }
      const { token, expiresAt } = issueToken(
        deps.jwtSecret,
        { accountId: principal.accountId, username: principal.username },
        deps.jwtTtlMs,
      );
      request.log.info({ organization, username, address }, 'login');
      return {
        token,
        expiresAt: expiresAt.toISOString(),
        username: principal.username,
        role: principal.role,
        organization: principal.organization,
      };
    },
  );

  api.get(
    '/me',
    {
      config: { role: 'viewer' },
      schema: { summary: 'Who the token belongs to', response: { 200: MeReply, 401: ErrorBody } },
    },
    (request) => {
      const { username, role, organization, via } = principalOf(request);
      return Promise.resolve({ username, role, organization, via });
    },
  );
}
