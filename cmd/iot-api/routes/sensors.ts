import {
  AssignBody,
  LogList,
  LogsQuery,
  SerialParams,
  Sensor,
  SensorList,
  NoContent,
  errorReplies,
} from '../../../internal/api-contract/index.js';
import { validateSerial } from '../../../internal/validation/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { notFound } from '../errors.js';
import { queryTime } from '../query-time.js';
import { ownsSerial } from '../store/device-credentials-store.js';
import { inTransaction } from '../store/queryable.js';
import {
  assignTarget,
  deleteSensor,
  getSensor,
  listSensors,
  sensorId,
  sensorLogs,
} from '../store/sensors-store.js';
import { principalOf } from './principal.js';

export function registerSensorRoutes(api: RouteApp, { pool, onboarding }: AppDeps): void {
  api.get(
    '/sensors',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Sensors of your organization',
        response: { 200: SensorList, ...errorReplies },
      },
    },
    async (request) => ({ items: await listSensors(pool, principalOf(request).organizationId) }),
  );

  api.get(
    '/sensors/:serial',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'One sensor',
        params: SerialParams,
        response: { 200: Sensor, ...errorReplies },
      },
    },
    async (request) => {
      const serial = validateSerial(request.params.serial);
      const sensor = await getSensor(pool, principalOf(request).organizationId, serial);
      if (!sensor) throw notFound(`sensor ${serial}`);
      return sensor;
    },
  );

  api.delete(
    '/sensors/:serial',
    {
      config: { role: 'admin' },
      schema: {
        summary:
          'Delete a sensor with everything it measured and logged; its broker user, session queue and connections go at once',
        params: SerialParams,
        response: { 204: NoContent, ...errorReplies },
      },
    },
    async (request, reply) => {
      const serial = validateSerial(request.params.serial);
      const { organizationId, username } = principalOf(request);
      // The broker forgets the device inside the transaction: if it cannot, nothing is deleted.
      const deleted = await inTransaction(pool, async (client) => {
        if (!(await ownsSerial(client, organizationId, serial))) return false;
        const id = await sensorId(client, organizationId, serial);
        if (id) await deleteSensor(client, id);
        await onboarding.revoke(client, serial);
        return true;
      });
      if (!deleted) throw notFound(`sensor ${serial}`);
      request.log.info({ serial, by: username }, 'sensor deleted');
      return reply.status(204).send(null);
    },
  );

  api.put(
    '/sensors/:serial/target',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Mount a sensor on a target (null: unassign)',
        params: SerialParams,
        body: AssignBody,
        response: { 200: Sensor, ...errorReplies },
      },
    },
    async (request) => {
      const serial = validateSerial(request.params.serial);
      const { organizationId } = principalOf(request);
      const result = await assignTarget(pool, organizationId, serial, request.body.target);
      if (result === 'no_sensor') throw notFound(`sensor ${serial}`);
      if (result === 'no_target') throw notFound(`target ${String(request.body.target)}`);
      const sensor = await getSensor(pool, organizationId, serial);
      if (!sensor) throw notFound(`sensor ${serial}`);
      return sensor;
    },
  );

  api.get(
    '/sensors/:serial/logs',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "The sensor's own log lines, oldest first",
        params: SerialParams,
        querystring: LogsQuery,
        response: { 200: LogList, ...errorReplies },
      },
    },
    async (request) => {
      const serial = validateSerial(request.params.serial);
      const id = await sensorId(pool, principalOf(request).organizationId, serial);
      if (!id) throw notFound(`sensor ${serial}`);
      const { since, limit } = request.query;
      return {
        items: await sensorLogs(pool, id, { since: queryTime(since, 'since'), limit }),
      };
    },
  );
}
