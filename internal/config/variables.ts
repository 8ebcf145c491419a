// Every IOT_* variable any part of the system reads. A variable that is set but not listed here
// is a typo (IOT_AMPQ_URL) and fails start-up instead of being silently ignored.
export const KNOWN_VARIABLES = [
  // docs/DESIGN.md's common set
  'IOT_AMQP_URL',
  'IOT_MQTT_URL',
  'IOT_DATABASE_URL',
  'IOT_API_URL',
  'IOT_LOG_LEVEL',
  'IOT_HTTP_PORT',
  'IOT_HTTP_HOST',
  // databases by role
  'IOT_DATABASE_OWNER_URL',
  'IOT_DATABASE_READONLY_URL',
  'IOT_DATABASE_MONITORING_URL',
  'IOT_DATABASE_POOL_SIZE',
  // the broker's management side (tests, provisioning)
  'IOT_RABBITMQ_MANAGEMENT_URL',
  // a cluster's nodes (utils/stack.sh up --nodes 3), node 1 first
  'IOT_RABBITMQ_MANAGEMENT_URLS',
  'IOT_RABBITMQ_NODES',
  'IOT_RABBITMQ_ADMIN_USERNAME',
  'IOT_RABBITMQ_ADMIN_PASSWORD',
  'IOT_RABBITMQ_NODE',
  'IOT_RABBITMQ_HOME',
  'IOT_RABBITMQ_EPMD_PORT',
  'IOT_RABBITMQ_PROMETHEUS_URL',
  'IOT_RABBITMQ_SERVICES_USERNAME',
  'IOT_RABBITMQ_SERVICES_PASSWORD',
  'IOT_AMQP_PREFETCH',
  // the API
  'IOT_ADMIN_USERNAME',
  'IOT_ADMIN_PASSWORD',
  'IOT_JWT_SECRET',
  'IOT_TLS_CERT_FILE',
  'IOT_TLS_KEY_FILE',
  'IOT_TLS_CA_FILE',
  'IOT_API_PORT',
  'IOT_API_HOST',
  'IOT_JWT_TTL',
  'IOT_COMMAND_TTL',
  'IOT_API_BODY_LIMIT',
  'IOT_API_STREAMS_PER_ACCOUNT',
  // devices: the secret every device's broker password derives from (internal/auth)
  'IOT_DEVICE_SECRET',
  // sensor-simulation
  'IOT_SIM_SENSORS',
  'IOT_SIM_FREQUENCY_HZ',
  'IOT_SIM_SERIAL_PREFIX',
  'IOT_SIM_BATCH_INTERVAL',
  'IOT_SIM_BUFFER_BATCHES',
  // sensor-measurements-ingester
  'IOT_INGEST_BATCH_ROWS',
  'IOT_INGEST_FLUSH_INTERVAL',
  'IOT_INGEST_UNKNOWN_SERIAL_TIMEOUT',
  'IOT_INGEST_LAST_SEEN_INTERVAL',
  'IOT_RAW_RETENTION',
  // sensor-analytics
  'IOT_ANALYTICS_WINDOW',
  'IOT_ANALYTICS_BASELINE_WINDOWS',
  'IOT_ANALYTICS_UNKNOWN_SERIAL_TIMEOUT',
  // sensor-alarms
  'IOT_ALARMS_SWEEP_INTERVAL',
  'IOT_ALARMS_ACTION_DEADLINE',
  'IOT_ALARMS_ACTION_ATTEMPTS',
  // machine-controller (the simulator) and where the demo's runs
  'IOT_BROKER_AUTH_PORT',
  'IOT_BROKER_AUTH_HOST',
  'IOT_MACHINE_CONTROLLER_ADDRESS',
  'IOT_MACHINE_CONTROLLER_PORT',
  'IOT_MACHINE_CONTROLLER_HOST',
  'IOT_MACHINE_CONTROLLER_REFUSE_FIRST',
  'IOT_MACHINE_CONTROLLER_SLOW_FIRST',
  'IOT_MACHINE_CONTROLLER_SLOW_REPLY_MS',
  // sensor-logs-ingester
  'IOT_SENSOR_LOG_DIR',
  'IOT_LOGS_BATCH_ROWS',
  'IOT_LOGS_FLUSH_INTERVAL',
  // the local stack itself (and the database init script's role passwords)
  'IOT_STACK_DIR',
  'IOT_STACK_BASE_PORT',
  'IOT_POSTGRES_PORT',
  'IOT_POSTGRES_SOCKET_DIR',
  'IOT_DB_OWNER_PASSWORD',
  'IOT_DB_APP_PASSWORD',
  'IOT_DB_READONLY_PASSWORD',
  'IOT_DB_MONITORING_PASSWORD',
  // the database init script: which database it makes (default iot; scratch ones for benches)
  'IOT_DB_NAME',
] as const;

export type VariableName = (typeof KNOWN_VARIABLES)[number];
