// The dead-letter queue, platform-wide, for platform administrators: what is there by queue
// and reason (GET), and a replay of the dead letters whose cause is fixed (POST), each
// confirmed back on its original queue before it leaves the dead-letter queue.
import {
  DeadLettersQuery,
  DeadLettersReply,
  ReplayBody,
  ReplayReply,
  errorReplies,
} from '../../../internal/api-contract/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { principalOf, requirePlatformAdmin } from './principal.js';

export function registerDeadLetterRoutes(api: RouteApp, { deadLetters }: AppDeps): void {
  api.get(
    '/deadletters',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Dead letters by queue and reason, with a few samples (platform administrators)',
        querystring: DeadLettersQuery,
        response: { 200: DeadLettersReply, ...errorReplies },
      },
    },
    async (request) => {
      requirePlatformAdmin(principalOf(request), 'reads dead letters');
      const summary = await deadLetters.summary(request.query);
      return {
        ...summary,
        groups: [...summary.groups],
        samples: summary.samples.map((s) => ({ ...s, deadLetteredAt: s.deadLetteredAt ?? null })),
      };
    },
  );

  api.post(
    '/deadletters/replay',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Replay dead letters whose reason starts with `reason` to their queue',
        body: ReplayBody,
        response: { 200: ReplayReply, ...errorReplies },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requirePlatformAdmin(principal, 'replays dead letters');
      const result = await deadLetters.replay(request.body);
      request.log.info(
        { ...request.body, replayed: result.replayed, by: principal.username },
        'dead letters replayed',
      );
      return result;
    },
  );
}
