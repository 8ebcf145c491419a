// What sensor-analytics made of a sensor's waveform: its features per window, starting its
// learned baseline over (after a repair, a new bearing, a changed operating point), and
// rebuilding its features from the stored blocks (after an algorithm change).
import {
  BaselineResetReply,
  FeatureList,
  FeatureRecompute,
  FeatureRecomputeBody,
  IdParams,
  FeaturesQuery,
  SerialParams,
  errorReplies,
} from '../../../internal/api-contract/index.js';
import { validateSerial } from '../../../internal/validation/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { invalid, notFound } from '../errors.js';
import { resetSensorBaseline, sensorFeatures } from '../store/analytics-store.js';
import { findRecompute, queueRecompute } from '../store/recompute-store.js';
import { sensorId } from '../store/sensors-store.js';
import { principalOf } from './principal.js';

/**
 * The longest range one recompute covers. A job is one transaction; a day of one-second
 * windows is 86,400 of them, about a quarter of an hour of one core at 25.6 kHz (11 ms each,
 * README Performance). Longer ranges are asked for a day at a time.
 */
export const MAX_RECOMPUTE_RANGE_MS = 24 * 60 * 60 * 1000;

export function registerAnalyticsRoutes(api: RouteApp, { pool }: AppDeps): void {
  api.get(
    '/sensors/:serial/features',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "The sensor's analysed windows, newest first",
        params: SerialParams,
        querystring: FeaturesQuery,
        response: { 200: FeatureList, ...errorReplies },
      },
    },
    async (request) => {
      const serial = validateSerial(request.params.serial);
      const { since, until, limit } = request.query;
      const range = {
        since: since === undefined ? undefined : new Date(since),
        until: until === undefined ? undefined : new Date(until),
        limit,
      };
      if (range.since && range.until && range.since >= range.until) {
        throw invalid('querystring.until: must be after since');
      }
      const id = await sensorId(pool, principalOf(request).organizationId, serial);
      if (!id) throw notFound(`sensor ${serial}`);
      return { items: await sensorFeatures(pool, id, range) };
    },
  );

  api.post(
    '/sensors/:serial/baseline/reset',
    {
      config: { role: 'operator' },
      schema: {
        summary: "Start the sensor's learned baseline over: the next windows are learned again",
        params: SerialParams,
        response: { 200: BaselineResetReply, ...errorReplies },
      },
    },
    async (request) => {
      const serial = validateSerial(request.params.serial);
      const { organizationId, username } = principalOf(request);
      const id = await sensorId(pool, organizationId, serial);
      if (!id) throw notFound(`sensor ${serial}`);
      const fresh = await resetSensorBaseline(pool, id);
      request.log.info({ serial, by: username, reset: fresh !== null }, 'baseline reset');
      return { serial, reset: fresh !== null, windows: fresh?.windows ?? null };
    },
  );

  api.post(
    '/sensors/:serial/features/recompute',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Rebuild the windows starting in [since, until) from the stored waveform blocks',
        description:
          'Answers 202 with the queued job; sensor-analytics replaces the windows in one ' +
          'transaction and marks the job done. Follow it at /feature-recomputes/{id}.',
        params: SerialParams,
        body: FeatureRecomputeBody,
        response: { 202: FeatureRecompute, ...errorReplies },
      },
    },
    async (request, reply) => {
      const serial = validateSerial(request.params.serial);
      const since = new Date(request.body.since);
      const until = new Date(request.body.until);
      if (since >= until) throw invalid('body.until: must be after since');
      if (until.getTime() - since.getTime() > MAX_RECOMPUTE_RANGE_MS) {
        throw invalid(
          'body.until: a recompute covers at most 24h; ask for longer ranges a day at a time',
        );
      }
      const { organizationId, username } = principalOf(request);
      const id = await sensorId(pool, organizationId, serial);
      if (!id) throw notFound(`sensor ${serial}`);
      const job = await queueRecompute(pool, id, { since, until }, username);
      request.log.info({ serial, job: job.id, by: username }, 'feature recompute queued');
      return reply.status(202).send(job);
    },
  );

  api.get(
    '/feature-recomputes/:id',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'A feature recompute job: queued, running, done (with counts) or failed (why)',
        params: IdParams,
        response: { 200: FeatureRecompute, ...errorReplies },
      },
    },
    async (request) => {
      const job = await findRecompute(pool, principalOf(request).organizationId, request.params.id);
      if (!job) throw notFound(`feature recompute ${request.params.id}`);
      return job;
    },
  );
}
