import { ErrorBody, LoginBody, LoginReply, MeReply } from '../../../internal/api-contract/index.js';
import { issueToken } from '../../../internal/auth/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { ApiError } from '../errors.js';
import { authenticatePassword } from '../store/accounts-store.js';
import { principalOf } from './principal.js';

export function registerAuthRoutes(api: RouteApp, deps: AppDeps): void {
  api.post(
    '/auth/login',
    {
      schema: {
        summary: 'Exchange a username and password for a short-lived token',
        security: [],
        body: LoginBody,
        response: { 200: LoginReply, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const principal = await authenticatePassword(deps.pool, username, password);
      // One answer for unknown user and wrong password: usernames do not leak.
      if (!principal) throw new ApiError('unauthenticated', 'wrong username or password');
      const { token, expiresAt } = issueToken(
        deps.jwtSecret,
        { accountId: principal.accountId, username: principal.username },
        deps.jwtTtlMs,
      );
      request.log.info({ username }, 'login');
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
