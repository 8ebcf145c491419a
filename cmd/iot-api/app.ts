// The HTTP application, built without listening (fastify's build()/listen() split), so tests
// start it on port 0 and main.ts on the configured port.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { DeadLetterBox } from '../../internal/pubsub/index.js';
import type { Logger, ReadinessCheck } from '../../internal/telemetry/index.js';
import { authenticate, requireRole } from './authenticate.js';
import { refuseWrongBodyTypes } from './body-types.js';
import type { CommandDispatcher } from './command-dispatcher.js';
import type { CommandEvents } from './command-events.js';
import type { LiveEvents } from './live-events.js';
import { installErrorHandling } from './error-handler.js';
import type { DeviceOnboarding } from './device-onboarding.js';
import type { LoginLimiter } from './login-limiter.js';
import type { OpenStreams } from './open-streams.js';
import type { ApiMetrics } from './metrics.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerAlarmRuleRoutes } from './routes/alarm-rules.js';
import { registerAlarmRoutes } from './routes/alarms.js';
import { registerAnalyticsRoutes } from './routes/analytics.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerCommandRoutes } from './routes/commands.js';
import { registerDeadLetterRoutes } from './routes/dead-letters.js';
import { registerDeviceCredentialRoutes } from './routes/device-credentials.js';
import { registerFleetRoutes } from './routes/fleet.js';
import { registerLiveRoutes } from './routes/live.js';
import { registerOperationRoutes } from './routes/operations.js';
import { registerOrganizationRoutes } from './routes/organizations.js';
import { registerSensorRoutes } from './routes/sensors.js';
import { registerTargetRoutes } from './routes/targets.js';
import type { Principal, Role } from './store/accounts-store.js';

export const API_PREFIX = '/api/v1';

export interface AppDeps {
  pool: pg.Pool;
  logger: Logger;
  dispatcher: CommandDispatcher;
  events: CommandEvents;
  live: LiveEvents;
  registry: Registry;
  metrics: ApiMetrics;
  /** The /readyz checks, by name. */
  readiness: Record<string, ReadinessCheck>;
  loginLimiter: LoginLimiter;
  onboarding: DeviceOnboarding;
  deadLetters: DeadLetterBox;
  /** The SSE streams being served, ended when the app closes. */
  streams: OpenStreams;
  jwtSecret: string;
  jwtTtlMs: number;
  commandTtlMs: number;
  bodyLimitBytes: number;
  /** PEM cert and key; omitted, the app speaks plain HTTP (behind a TLS-terminating proxy). */
  https?: { cert: string | Buffer; key: string | Buffer };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a route needs; routes without it are public. */
    role?: Role;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function buildApp(deps: AppDeps) {
  // pino is fastify's own logger; this only widens the type to fastify's view of it.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    disableRequestLogging: true,
    bodyLimit: deps.bodyLimitBytes,
    // A path fastify cannot even decode (`/sensors/%FF`) is the client's error too, in our shape.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply)
        .status(400)
        .send({ error: { code: 'invalid_request', message: error.message } });
    },
    // Our own https.Server keeps fastify's types on the default (http) server; the two
    // share the request/response API that fastify uses.
    ...(deps.https
      ? {
          serverFactory: (handler: Parameters<typeof createHttpsServer>[1]) =>
            createHttpsServer({ ...deps.https }, handler) as unknown as Server,
        }
      : {}),
    ajv: {
      // Reject unknown fields instead of silently dropping them; keep query coercion (a
      // body's types are checked as sent first: body-types.ts).
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('principal', null);
  installErrorHandling(app);

  // Authentication runs before the body is parsed, so a stranger learns nothing from
  // validation errors; the role check follows on the same hook.
  // Event streams never end by themselves: end them so closing does not wait for clients.
  app.addHook('preClose', (done) => {
    deps.streams.endAll();
    done();
  });
  app.addHook('onRequest', async (request) => {
    const needed = request.routeOptions.config.role;
    if (!needed) return;
    request.principal = await authenticate(
      deps.pool,
      deps.jwtSecret,
      request.headers.authorization,
    );
    requireRole(request.principal, needed);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      refuseWrongBodyTypes(request.routeOptions.schema?.body, request.body);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.requests.observe(
      {
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });

  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'iot-api',
        version: '1',
        description: 'Sensors, targets, commands and alarms of the IoT monitoring platform.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  });
  void app.register(
    (child, _options, done) => {
      const api = child.withTypeProvider<TypeBoxTypeProvider>();
      registerAuthRoutes(api, deps);
      registerSensorRoutes(api, deps);
      registerDeviceCredentialRoutes(api, deps);
      registerCommandRoutes(api, deps);
      registerTargetRoutes(api, deps);
      registerAnalyticsRoutes(api, deps);
      registerAlarmRoutes(api, deps);
      registerAlarmRuleRoutes(api, deps);
      registerFleetRoutes(api, deps);
      registerLiveRoutes(api, deps);
      registerAccountRoutes(api, deps);
      registerOrganizationRoutes(api, deps);
      registerDeadLetterRoutes(api, deps);
      api.get('/openapi.json', { schema: { hide: true } }, (_request, reply) =>
        reply.send(app.swagger()),
      );
      done();
    },
    { prefix: API_PREFIX },
  );
  registerOperationRoutes(app, deps);
  return app;
}

export type ApiApp = ReturnType<typeof buildApp>;
/** What route modules receive: the app, or its `/api/v1` child. */
export type RouteApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
