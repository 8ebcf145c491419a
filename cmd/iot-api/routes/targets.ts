import {
  NoContent,
  NameParams,
  Target,
  TargetBody,
  TargetList,
  errorReplies,
  ErrorBody,
} from '../../../internal/api-contract/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { ApiError, notFound } from '../errors.js';
import { isUniqueViolation } from '../store/queryable.js';
import { createTarget, deleteTarget, listTargets } from '../store/targets-store.js';
import { principalOf } from './principal.js';

export function registerTargetRoutes(api: RouteApp, { pool }: AppDeps): void {
  api.get(
    '/targets',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Machines and vehicles, with their sensors',
        response: { 200: TargetList, ...errorReplies },
      },
    },
    async (request) => ({ items: await listTargets(pool, principalOf(request).organizationId) }),
  );

  api.post(
    '/targets',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Create a target',
        body: TargetBody,
        response: { 201: Target, 409: ErrorBody, ...errorReplies },
      },
    },
    async (request, reply) => {
      const { name, kind = 'fixed' } = request.body;
      try {
        const target = await createTarget(pool, principalOf(request).organizationId, {
          name,
          kind,
        });
        return await reply.status(201).send(target);
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ApiError('conflict', `target ${name} already exists`);
        throw error;
      }
    },
  );

  api.delete(
    '/targets/:name',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Delete a target; its sensors become unassigned',
        params: NameParams,
        response: { 204: NoContent, ...errorReplies },
      },
    },
    async (request, reply) => {
      const deleted = await deleteTarget(
        pool,
        principalOf(request).organizationId,
        request.params.name,
      );
      if (!deleted) throw notFound(`target ${request.params.name}`);
      return reply.status(204).send(null);
    },
  );
}
