import {
  httpHost,
  integer,
  loadConfig,
  logLevel,
  port,
  string,
  type Env,
} from '../../internal/config/index.js';

export function loadControllerConfig(env: Env) {
  return loadConfig(env, {
    logLevel,
    /** Health, metrics and GET /actions (plain HTTP, beside the gRPC port). */
    httpPort: port('IOT_HTTP_PORT', { default: 9106 }),
    httpHost,
    /** The gRPC port (TLS); 0 lets the OS choose, and the log line says which. */
    grpcPort: port('IOT_MACHINE_CONTROLLER_PORT', { default: 9443 }),
    host: string('IOT_MACHINE_CONTROLLER_HOST', { default: '0.0.0.0' }),
    /** The certificate and key it serves, signed by the CA sensor-alarms trusts. */
    tlsCertFile: string('IOT_TLS_CERT_FILE'),
    tlsKeyFile: string('IOT_TLS_KEY_FILE'),
    /** For tests: the first N calls are refused (UNAVAILABLE), as a controller restarting. */
    refuseFirst: integer(
      'IOT_MACHINE_CONTROLLER_REFUSE_FIRST',
      { min: 0, max: 1_000_000 },
      {
        default: 0,
      },
    ),
    /**
     * For tests: the first N calls are applied but answered only after this many ms (past
     * the caller's deadline), as a reply lost on the way back; the retry must not apply twice.
     */
    slowFirst: integer(
      'IOT_MACHINE_CONTROLLER_SLOW_FIRST',
      { min: 0, max: 1_000_000 },
      {
        default: 0,
      },
    ),
    slowReplyMs: integer(
      'IOT_MACHINE_CONTROLLER_SLOW_REPLY_MS',
      { min: 0, max: 600_000 },
      {
        default: 5_000,
      },
    ),
  });
}

export type ControllerConfig = ReturnType<typeof loadControllerConfig>;
