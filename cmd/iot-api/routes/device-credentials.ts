// Admin only: onboarding a device (its broker credentials, shown once) and rotating them
// (device-onboarding.ts says how and why). Deleting a sensor revokes them too (sensors.ts).
import {
  DeviceCredentialsReply,
  ErrorBody,
  NewSensorBody,
  SerialParams,
  errorReplies,
} from '../../../internal/api-contract/index.js';
import { validateSerial } from '../../../internal/validation/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { notFound } from '../errors.js';
import { principalOf } from './principal.js';

export function registerDeviceCredentialRoutes(api: RouteApp, { onboarding }: AppDeps): void {
  api.post(
    '/sensors',
    {
      config: { role: 'admin' },
      schema: {
        summary:
          'Onboard a device: its broker user, and the credentials it connects with (this answer only); it enrols into your organization when it first registers',
        body: NewSensorBody,
        response: { 201: DeviceCredentialsReply, 409: ErrorBody, ...errorReplies },
      },
    },
    async (request, reply) => {
      const { organizationId, username } = principalOf(request);
      const { serial, target } = request.body;
      const credentials = await onboarding.create(organizationId, serial, target);
      request.log.info({ serial, target, by: username }, 'device onboarded');
      return reply.status(201).send(credentials);
    },
  );

  api.post(
    '/sensors/:serial/credentials',
    {
      config: { role: 'admin' },
      schema: {
        summary:
          'New broker credentials for a device (this answer only); the old ones stop working at once and its connections are closed',
        params: SerialParams,
        response: { 200: DeviceCredentialsReply, ...errorReplies },
      },
    },
    async (request) => {
      const serial = validateSerial(request.params.serial);
      const { organizationId, username } = principalOf(request);
      const credentials = await onboarding.rotate(organizationId, serial);
      if (!credentials) throw notFound(`sensor ${serial}`);
      request.log.info({ serial, by: username }, 'device credentials rotated');
      return credentials;
    },
  );
}
