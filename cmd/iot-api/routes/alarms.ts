import {
  Alarm,
  AlarmList,
  AlarmsQuery,
  IdParams,
  errorReplies,
} from '../../../internal/api-contract/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { notFound } from '../errors.js';
import { acknowledgeAlarm, listAlarms } from '../store/alarms-store.js';
import { principalOf } from './principal.js';

export function registerAlarmRoutes(api: RouteApp, { pool }: AppDeps): void {
  api.get(
    '/alarms',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Alarms, newest first (open ones unless all=true)',
        querystring: AlarmsQuery,
        response: { 200: AlarmList, ...errorReplies },
      },
    },
    async (request) => ({
      items: await listAlarms(pool, principalOf(request).organizationId, request.query),
    }),
  );

  api.post(
    '/alarms/:id/ack',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Acknowledge an alarm',
        params: IdParams,
        response: { 200: Alarm, ...errorReplies },
      },
    },
    async (request) => {
      const { organizationId, accountId } = principalOf(request);
      const alarm = await acknowledgeAlarm(pool, organizationId, request.params.id, accountId);
      if (!alarm) throw notFound(`alarm ${request.params.id}`);
      return alarm;
    },
  );
}
