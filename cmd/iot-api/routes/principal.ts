import type { FastifyRequest } from 'fastify';
import type { Principal } from '../store/accounts-store.js';

/** The caller of a route that declares a role (the onRequest hook has authenticated it). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`route ${request.url} has no role but needs a caller`);
  return request.principal;
}
