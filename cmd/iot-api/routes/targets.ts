import {
  NoContent,
  NameParams,
  Target,
  TargetBody,
  TargetList,
  TargetPatchBody,
  errorReplies,
  ErrorBody,
} from '../../../internal/api-contract/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { ApiError, invalid, notFound } from '../errors.js';
import { isUniqueViolation } from '../store/queryable.js';
import {
  createTarget,
  deleteTarget,
  getTarget,
  listTargets,
  updateTargetMachine,
} from '../store/targets-store.js';
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
      const { name, kind = 'fixed', ...machine } = request.body;
      checkBearing(machine.bearing);
      try {
        const target = await createTarget(pool, principalOf(request).organizationId, {
          name,
          kind,
          ...machine,
        });
        return await reply.status(201).send(target);
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ApiError('conflict', `target ${name} already exists`);
        throw error;
      }
    },
  );

  api.patch(
    '/targets/:name',
    {
      config: { role: 'operator' },
      schema: {
        summary: "Set (a value) or clear (null) a target's machine parameters",
        params: NameParams,
        body: TargetPatchBody,
        response: { 200: Target, ...errorReplies },
      },
    },
    async (request) => {
      const { organizationId } = principalOf(request);
      const { name } = request.params;
      checkBearing(request.body.bearing);
      const updated = await updateTargetMachine(pool, organizationId, name, request.body);
      const target = updated ? await getTarget(pool, organizationId, name) : undefined;
      if (!target) throw notFound(`target ${name}`);
      return target;
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

/** What the schema cannot say: a bearing's balls are smaller than its pitch circle. */
function checkBearing(bearing: { ballMm: number; pitchMm: number } | null | undefined): void {
  if (bearing && !(bearing.ballMm < bearing.pitchMm)) {
    throw invalid(
      `body.bearing.ballMm: must be less than pitchMm (${bearing.ballMm} ≥ ${bearing.pitchMm})`,
    );
  }
}
