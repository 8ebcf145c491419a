// The operator's live view: one server-sent-events stream of a sensor's (or the whole
// organization's) feature windows, alarm changes and connectivity changes, as they happen.
// Each account may hold a few streams at once (IOT_API_STREAMS_PER_ACCOUNT); past that, 429.
import { ErrorBody, EventsQuery, errorReplies } from '../../../internal/api-contract/index.js';
import type { LiveEvent } from '../../../internal/alarms/index.js';
import { validateSerial } from '../../../internal/validation/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { ApiError, notFound } from '../errors.js';
import { getAlarm } from '../store/alarms-store.js';
import { sensorId } from '../store/sensors-store.js';
import { principalOf } from './principal.js';

/** A comment line keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export function registerLiveRoutes(api: RouteApp, { pool, live, streams }: AppDeps): void {
  api.get(
    '/events',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Server-sent events: features, alarm and connectivity changes, live',
        description:
          'event: feature (data: {serial, feature}), alarm (data: the alarm as GET ' +
          '/alarms/{id}), connectivity (data: {serial, connectivity, previous}). With serial, ' +
          'one sensor’s; without, the whole organization’s. Streams per account are limited.',
        querystring: EventsQuery,
        response: {
          200: { content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...errorReplies,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { organizationId, accountId } = principalOf(request);
      const serial =
        request.query.serial === undefined ? undefined : validateSerial(request.query.serial);
      if (serial !== undefined && !(await sensorId(pool, organizationId, serial))) {
        throw notFound(`sensor ${serial}`);
      }
      streams.track(reply.raw);
      const release = live.claimStream(accountId);
      if (!release) {
        throw new ApiError(
          'too_many_requests',
          'too many open event streams for this account; close one first',
        );
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': streaming\n\n');
      let writing = Promise.resolve();
      const write = (type: string, data: unknown) => {
        if (!res.writableEnded) res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const onEvent = (event: LiveEvent) => {
        // In order: an alarm is read back before the events after it are written.
        writing = writing.then(async () => {
          if (event.type === 'feature') {
            write('feature', { serial: event.serial, feature: event.feature });
          } else if (event.type === 'connectivity') {
            const { serial: s, connectivity, previous } = event;
            write('connectivity', { serial: s, connectivity, previous });
          } else {
            const alarm = await getAlarm(pool, organizationId, event.alarmId).catch(
              () => undefined,
            );
            if (alarm) write('alarm', alarm);
          }
        });
      };
      const unsubscribe = live.subscribe(organizationId, serial, onEvent);
      const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
      res.on('close', () => {
        unsubscribe();
        clearInterval(keepalive);
        release();
      });
    },
  );
}
