// Platform administrators only (the configured first admin, migration 0017): the
// organizations on this platform, and new ones with their first admin.
import {
  ErrorBody,
  NewOrganizationReply,
  OrganizationBody,
  OrganizationList,
  errorReplies,
} from '../../../internal/api-contract/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { ApiError } from '../errors.js';
import type { Principal } from '../store/accounts-store.js';
import { createOrganization, listOrganizations } from '../store/organizations-store.js';
import { isUniqueViolation } from '../store/queryable.js';
import { principalOf, requirePlatformAdmin } from './principal.js';

const requireManager = (principal: Principal) =>
  requirePlatformAdmin(principal, 'manages organizations');

export function registerOrganizationRoutes(api: RouteApp, { pool }: AppDeps): void {
  api.get(
    '/organizations',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Every organization (platform administrators)',
        response: { 200: OrganizationList, ...errorReplies },
      },
    },
    async (request) => {
      requireManager(principalOf(request));
      return { items: await listOrganizations(pool) };
    },
  );

  api.post(
    '/organizations',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create an organization and its first admin (platform administrators)',
        body: OrganizationBody,
        response: { 201: NewOrganizationReply, 409: ErrorBody, ...errorReplies },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireManager(principal);
      try {
        const created = await createOrganization(pool, request.body);
        request.log.info(
          { organization: created.name, admin: created.admin, by: principal.username },
          'organization created',
        );
        return await reply.status(201).send(created);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ApiError('conflict', `organization ${request.body.name} already exists`);
        }
        throw error;
      }
    },
  );
}
