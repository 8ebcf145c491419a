// Everything iot-api runs, started and stopped together: the HTTPS app, the consumers of acks
// and announcements, the expiry sweep and the notification listener. main.ts reads config and
// signals; tests start the same service in-process.
import type pg from 'pg';
import {
  AmqpConnection,
  Consumer,
  DeadLetterBox,
  Publisher,
  consumersReady,
  RabbitAdmin,
  inOrderPerKey,
} from '../../internal/pubsub/index.js';
import { failureOutcome } from '../../internal/sensorlogic/index.js';
import { QUEUES } from '../../internal/routing/index.js';
import { createPool, databaseReady } from '../../internal/storage/index.js';
import type { StopStep } from '../../internal/lifecycle/index.js';
import { createMetricsRegistry, type Logger } from '../../internal/telemetry/index.js';
import { buildApp, type ApiApp } from './app.js';
import { CommandDispatcher } from './command-dispatcher.js';
import { CommandEvents } from './command-events.js';
import { LiveEvents } from './live-events.js';
import type { ApiConfig } from './config.js';
import { createAckHandler, createAnnouncementHandler } from './device-handlers.js';
import { DeviceOnboarding } from './device-onboarding.js';
import { startExpirySweep } from './expiry-sweep.js';
import { LoginLimiter } from './login-limiter.js';
import { OpenStreams } from './open-streams.js';
import { createApiMetrics } from './metrics.js';
import { ensureAdmin } from './store/accounts-store.js';

export const SERVICE = 'iot-api';

/**
 * A request waits for the broker's confirm; a short timeout keeps the answer prompt, and the
 * command simply stays queued when the broker is away.
 */
const PUBLISH_CONFIRM_TIMEOUT_MS = 5_000;

export type ServiceConfig = Omit<ApiConfig, 'tlsCertFile' | 'tlsKeyFile' | 'caFile'> & {
  https?: { cert: string | Buffer; key: string | Buffer };
  /** The CA file's PEM (IOT_TLS_CA_FILE), handed to onboarded devices. */
  caPem?: string;
};

export interface ApiService {
  app: ApiApp;
  pool: pg.Pool;
  /** The port it listens on (the configured one, or the OS's pick for 0). */
  port: number;
  /** What `close()` runs, in order; main.ts hands them to runService. */
  stopSteps: readonly StopStep[];
  close(): Promise<void>;
}

export async function startApiService(config: ServiceConfig, logger: Logger): Promise<ApiService> {
  const registry = createMetricsRegistry(SERVICE);
  const metrics = createApiMetrics(registry);
  const pool = createPool(config.databaseUrl, { applicationName: SERVICE, max: config.poolSize });
  const admin = await ensureAdmin(pool, config.adminUsername, config.adminPassword);
  logger.info({ username: config.adminUsername, admin }, 'first admin account checked');

  const connection = await AmqpConnection.open({ url: config.amqpUrl, logger, name: SERVICE });
  const publisher = await Publisher.create(connection, {
    logger,
    timeoutMs: PUBLISH_CONFIRM_TIMEOUT_MS,
  });
  const dispatcher = new CommandDispatcher({
    pool,
    publisher,
    logger,
    metrics,
    commandTtlMs: config.commandTtlMs,
  });
  const events = new CommandEvents(config.databaseUrl, logger);
  await events.start();
  const live = new LiveEvents(config.databaseUrl, logger, config.streamsPerAccount);
  await live.start();

  const acks = await Consumer.start(connection, {
    registry,
    queue: QUEUES.acksApi,
    publisher,
    logger,
    onHandlerError: failureOutcome,
    prefetch: 50,
    handler: createAckHandler({ pool, metrics }),
  });
  const announcements = await Consumer.start(connection, {
    registry,
    queue: QUEUES.registryApi,
    publisher,
    logger,
    onHandlerError: failureOutcome,
    prefetch: 50,
    // One sensor's announcements in order, so two reconnects cannot both re-ask the same thing.
    handler: inOrderPerKey((d) => d.routingKey, createAnnouncementHandler({ dispatcher })),
  });
  const sweep = startExpirySweep({ pool, logger, metrics });
  const onboarding = new DeviceOnboarding({
    pool,
    admin: new RabbitAdmin({
      url: config.managementUrl,
      username: config.managementUsername,
      password: config.managementPassword,
    }),
    mqttUrl: config.deviceMqttUrl,
    caPem: config.caPem,
  });

  const app = buildApp({
    pool,
    logger,
    dispatcher,
    events,
    live,
    registry,
    metrics,
    jwtSecret: config.jwtSecret,
    jwtTtlMs: config.jwtTtlMs,
    commandTtlMs: config.commandTtlMs,
    bodyLimitBytes: config.bodyLimitBytes,
    loginLimiter: new LoginLimiter(),
    onboarding,
    deadLetters: new DeadLetterBox(connection),
    streams: new OpenStreams(),
    https: config.https,
    readiness: {
      broker: () => connection.isConnected,
      database: () => databaseReady(pool),
      consumers: consumersReady([acks, announcements]),
    },
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  const stopSteps: StopStep[] = [
    { name: 'close HTTPS server', run: () => app.close() },
    { name: 'drain acks consumer', run: () => acks.drain() },
    { name: 'drain announcements consumer', run: () => announcements.drain() },
    { name: 'stop expiry sweep', run: () => sweep.stop() },
    { name: 'close command events', run: () => events.close() },
    { name: 'close live events', run: () => live.close() },
    { name: 'close broker', run: () => connection.close() },
    { name: 'close pool', run: () => pool.end() },
  ];
  return {
    app,
    pool,
    port,
    stopSteps,
    async close() {
      const never = new AbortController().signal;
      for (const step of stopSteps) await step.run(never);
    },
  };
}
