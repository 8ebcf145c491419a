# shellcheck shell=bash
# The stack's secrets and .stack/env, the file every service, test and shell reads the
# stack's URLs and credentials from. Sourced by utils/stack.sh.

readonly ENV_FILE="$STACK_DIR/env"

# Secrets generated once and kept in .stack/env across `up`s.
readonly SECRET_NAMES=(
  IOT_RABBITMQ_ADMIN_PASSWORD IOT_RABBITMQ_SERVICES_PASSWORD
  IOT_DB_OWNER_PASSWORD IOT_DB_APP_PASSWORD IOT_DB_READONLY_PASSWORD IOT_DB_MONITORING_PASSWORD
  IOT_ADMIN_PASSWORD IOT_JWT_SECRET IOT_DEVICE_SECRET
)

# The value of KEY in .stack/env, or nothing.
env_file_value() {
  [[ -f "$ENV_FILE" ]] || return 0
  sed -n "s/^$1='\(.*\)'\$/\1/p" "$ENV_FILE" | tail -n 1
}

new_secret() { openssl rand -hex 24; }

# Sets every variable in SECRET_NAMES: kept from .stack/env, generated when absent.
load_or_generate_secrets() {
  local name value
  for name in "${SECRET_NAMES[@]}"; do
    value="$(env_file_value "$name")"
    [[ -n "$value" ]] || value="$(new_secret)"
    printf -v "$name" '%s' "$value"
  done
}

# Writes .stack/env (0600) atomically: KEY='value' lines a shell can source. Values are
# hex secrets, numbers, paths and URLs built from them: none contains a quote.
write_env_file() {
  local tmp="$ENV_FILE.tmp.$$" index amqp_urls="" mqtt_urls="" nodes="" management_urls=""
  # Every node's address, node 1 first, comma-separated: clients move to the next one when
  # theirs fails (internal/pubsub/broker-addresses.ts).
  for ((index = 1; index <= NODE_COUNT; index++)); do
    select_rabbitmq_node "$index"
    amqp_urls+="${amqp_urls:+,}amqp://$RABBITMQ_SERVICES_USER:$IOT_RABBITMQ_SERVICES_PASSWORD@127.0.0.1:$NODE_AMQP_PORT/%2F"
    mqtt_urls+="${mqtt_urls:+,}mqtts://localhost:$NODE_MQTTS_PORT"
    nodes+="${nodes:+,}$NODE_NAME"
    management_urls+="${management_urls:+,}http://127.0.0.1:$NODE_MANAGEMENT_PORT"
  done
  select_rabbitmq_node 1
  (
    umask 077
    cat >"$tmp" <<EOF
# Written by utils/stack.sh up for this checkout's local stack. Secrets are generated once
# and kept across \`up\`s; delete with \`utils/stack.sh down --purge\`.
IOT_STACK_DIR='$STACK_DIR'
IOT_STACK_BASE_PORT='$BASE_PORT'
IOT_RABBITMQ_NODE='$RABBITMQ_NODE'
IOT_RABBITMQ_NODES='$nodes'
IOT_RABBITMQ_HOME='$RABBITMQ_DIR'
IOT_RABBITMQ_EPMD_PORT='$EPMD_PORT'
IOT_AMQP_URL='$amqp_urls'
IOT_MQTT_URL='$mqtt_urls'
IOT_RABBITMQ_MANAGEMENT_URL='http://127.0.0.1:$MANAGEMENT_PORT'
IOT_RABBITMQ_MANAGEMENT_URLS='$management_urls'
IOT_RABBITMQ_PROMETHEUS_URL='http://127.0.0.1:$PROMETHEUS_PORT/metrics'
IOT_RABBITMQ_ADMIN_USERNAME='$RABBITMQ_ADMIN_USER'
IOT_RABBITMQ_ADMIN_PASSWORD='$IOT_RABBITMQ_ADMIN_PASSWORD'
IOT_RABBITMQ_SERVICES_USERNAME='$RABBITMQ_SERVICES_USER'
IOT_RABBITMQ_SERVICES_PASSWORD='$IOT_RABBITMQ_SERVICES_PASSWORD'
IOT_DATABASE_URL='postgres://iot_app:$IOT_DB_APP_PASSWORD@127.0.0.1:$POSTGRES_PORT/iot'
IOT_DATABASE_OWNER_URL='postgres://iot:$IOT_DB_OWNER_PASSWORD@127.0.0.1:$POSTGRES_PORT/iot'
IOT_DATABASE_READONLY_URL='postgres://iot_readonly:$IOT_DB_READONLY_PASSWORD@127.0.0.1:$POSTGRES_PORT/iot'
IOT_DATABASE_MONITORING_URL='postgres://iot_monitoring:$IOT_DB_MONITORING_PASSWORD@127.0.0.1:$POSTGRES_PORT/iot'
IOT_DB_OWNER_PASSWORD='$IOT_DB_OWNER_PASSWORD'
IOT_DB_APP_PASSWORD='$IOT_DB_APP_PASSWORD'
IOT_DB_READONLY_PASSWORD='$IOT_DB_READONLY_PASSWORD'
IOT_DB_MONITORING_PASSWORD='$IOT_DB_MONITORING_PASSWORD'
IOT_POSTGRES_PORT='$POSTGRES_PORT'
IOT_POSTGRES_SOCKET_DIR='$POSTGRES_SOCKET_DIR'
IOT_ADMIN_USERNAME='admin'
IOT_ADMIN_PASSWORD='$IOT_ADMIN_PASSWORD'
IOT_JWT_SECRET='$IOT_JWT_SECRET'
IOT_DEVICE_SECRET='$IOT_DEVICE_SECRET'
IOT_SENSOR_LOG_DIR='$STACK_DIR/sensor-logs'
IOT_LOG_LEVEL='info'
IOT_HTTP_PORT='$HTTP_PORT'
IOT_BROKER_AUTH_PORT='$BROKER_AUTH_PORT'
IOT_API_PORT='$API_PORT'
IOT_API_URL='https://localhost:$API_PORT'
IOT_TLS_CERT_FILE='$TLS_DIR/server.pem'
IOT_TLS_KEY_FILE='$TLS_DIR/server-key.pem'
IOT_TLS_CA_FILE='$TLS_DIR/ca.pem'
EOF
  )
  chmod 600 "$tmp"
  mv -f "$tmp" "$ENV_FILE"
}
