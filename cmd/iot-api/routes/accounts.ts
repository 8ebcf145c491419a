// Admin only: the people (accounts) and machines (API keys) that may call the API.
import {
  Account,
  AccountBody,
  AccountPatchBody,
  UsernameParams,
  AccountList,
  ApiKeyBody,
  ApiKeyList,
  ErrorBody,
  IdParams,
  NewApiKeyReply,
  NoContent,
  errorReplies,
} from '../../../internal/api-contract/index.js';
import { generateApiKey } from '../../../internal/auth/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { ApiError, invalid, notFound } from '../errors.js';
import { createAccount, listAccounts, roleAllows, updateAccount } from '../store/accounts-store.js';
import { insertApiKey, listApiKeys, revokeApiKey } from '../store/api-keys-store.js';
import { isUniqueViolation } from '../store/queryable.js';
import { principalOf } from './principal.js';

export function registerAccountRoutes(api: RouteApp, { pool }: AppDeps): void {
  api.get(
    '/accounts',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Accounts of your organization',
        response: { 200: AccountList, ...errorReplies },
      },
    },
    async (request) => ({ items: await listAccounts(pool, principalOf(request).organizationId) }),
  );

  api.post(
    '/accounts',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create an account in your organization',
        body: AccountBody,
        response: { 201: Account, 409: ErrorBody, ...errorReplies },
      },
    },
    async (request, reply) => {
      try {
        const account = await createAccount(
          pool,
          principalOf(request).organizationId,
          request.body,
        );
        return await reply.status(201).send(account);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ApiError('conflict', `account ${request.body.username} already exists`);
        }
        throw error;
      }
    },
  );

  api.patch(
    '/accounts/:username',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Change the role of an account of your organization, or disable or enable it',
        params: UsernameParams,
        body: AccountPatchBody,
        response: { 200: Account, ...errorReplies },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { username } = request.params;
      // Nobody locks themselves out: another admin has to do it.
      if (username === principal.username && (request.body.disabled || request.body.role)) {
        throw invalid('params.username: you cannot disable or change your own account');
      }
      const account = await updateAccount(pool, principal.organizationId, username, request.body);
      if (!account) throw notFound(`account ${username}`);
      request.log.info(
        { username, change: request.body, by: principal.username },
        'account changed',
      );
      return account;
    },
  );

  api.get(
    '/api-keys',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'API keys of your organization (never the keys themselves)',
        response: { 200: ApiKeyList, ...errorReplies },
      },
    },
    async (request) => ({ items: await listApiKeys(pool, principalOf(request).organizationId) }),
  );

  api.post(
    '/api-keys',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create an API key; the key is in this answer only',
        body: ApiKeyBody,
        response: { 201: NewApiKeyReply, ...errorReplies },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!roleAllows(principal.role, request.body.role)) {
        throw new ApiError(
          'forbidden',
          `a key cannot have more than your role (${principal.role})`,
        );
      }
      const generated = generateApiKey();
      const key = await insertApiKey(pool, {
        organizationId: principal.organizationId,
        accountId: principal.accountId,
        name: request.body.name,
        role: request.body.role,
        prefix: generated.prefix,
        hash: generated.hash,
        expiresInDays: request.body.expiresInDays,
      });
      return reply.status(201).send({
        id: key.id,
        name: key.name,
        role: key.role,
        prefix: key.prefix,
        key: generated.key,
      });
    },
  );

  api.delete(
    '/api-keys/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Revoke an API key',
        params: IdParams,
        response: { 204: NoContent, ...errorReplies },
      },
    },
    async (request, reply) => {
      const found = await revokeApiKey(
        pool,
        principalOf(request).organizationId,
        request.params.id,
      );
      if (!found) throw notFound(`API key ${request.params.id}`);
      return reply.status(204).send(null);
    },
  );
}
