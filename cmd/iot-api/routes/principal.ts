import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { Principal } from '../store/accounts-store.js';

/** The caller of a route that declares a role (the onRequest hook has authenticated it). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`route ${request.url} has no role but needs a caller`);
  return request.principal;
}

/** Platform-wide routes (organizations, dead letters): the platform administrators only. */
export function requirePlatformAdmin(principal: Principal, what: string): void {
  if (!principal.platformAdmin) {
    throw new ApiError('forbidden', `only a platform administrator ${what}`);
  }
}
