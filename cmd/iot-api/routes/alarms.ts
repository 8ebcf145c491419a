import {
  Alarm,
  AlarmList,
  AlarmsQuery,
  IdParams,
  errorReplies,
} from '../../../internal/api-contract/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { notFound } from '../errors.js';
import { acknowledgeAlarm, getAlarm, listAlarms } from '../store/alarms-store.js';
import { principalOf } from './principal.js';

export function registerAlarmRoutes(api: RouteApp, { pool }: AppDeps): void {
  api.get(
    '/alarms',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Alarms, newest first: the open ones unless state or all=true says otherwise',
        description:
          'state: active (not acknowledged), acknowledged, cleared, or open (active and ' +
          'acknowledged); severity, sensor (serial) and target (name) narrow it further.',
        querystring: AlarmsQuery,
        response: { 200: AlarmList, ...errorReplies },
      },
    },
    async (request) => ({
      items: await listAlarms(pool, principalOf(request).organizationId, request.query),
    }),
  );

  api.get(
    '/alarms/:id',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'One alarm, with its action’s outcome and its history',
        params: IdParams,
        response: { 200: Alarm, ...errorReplies },
      },
    },
    async (request) => {
      const alarm = await getAlarm(pool, principalOf(request).organizationId, request.params.id);
      if (!alarm) throw notFound(`alarm ${request.params.id}`);
      return alarm;
    },
  );

  api.post(
    '/alarms/:id/ack',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Acknowledge an alarm (once; a cleared one too)',
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
