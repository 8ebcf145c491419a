// Fleet health: how many sensors are online, stale or offline, the share silent for more than
// ten minutes, and each sensor's batch rhythm and lifespan.
import { Fleet, errorReplies } from '../../../internal/api-contract/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { fleetHealth } from '../store/fleet-store.js';
import { principalOf } from './principal.js';

export function registerFleetRoutes(api: RouteApp, { pool }: AppDeps): void {
  api.get(
    '/fleet',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Fleet health: connectivity counts, silent share, batch rhythm, lifespans',
        description:
          'offline: nothing heard for the target’s offline threshold (600 s unless set); ' +
          'stale: awake and no batch for three of its own mean batch intervals; asleep ' +
          'sensors are counted apart and never stale.',
        response: { 200: Fleet, ...errorReplies },
      },
    },
    async (request) => fleetHealth(pool, principalOf(request).organizationId),
  );
}
