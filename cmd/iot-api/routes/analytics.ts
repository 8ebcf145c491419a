// What sensor-analytics made of a sensor's waveform: its features per window, and starting
// its learned baseline over (after a repair, a new bearing, a changed operating point).
import {
  BaselineResetReply,
  FeatureList,
  FeaturesQuery,
  SerialParams,
  errorReplies,
} from '../../../internal/api-contract/index.js';
import { validateSerial } from '../../../internal/validation/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { queryTime } from '../query-time.js';
import { invalid, notFound } from '../errors.js';
import { resetSensorBaseline, sensorFeatures } from '../store/analytics-store.js';
import { sensorId } from '../store/sensors-store.js';
import { principalOf } from './principal.js';

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
        since: queryTime(since, 'since'),
        until: queryTime(until, 'until'),
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
}
