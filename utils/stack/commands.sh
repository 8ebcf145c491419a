# shellcheck shell=bash
# What each command of utils/stack.sh does, in terms of the parts: up, down, status, createdb
# and dropdb. Sourced by utils/stack.sh.

# An override of the base port must not orphan a stack already running on other ports.
check_base_port_unchanged() {
  [[ -n "$RECORDED_BASE_PORT" && "$RECORDED_BASE_PORT" != "$BASE_PORT" ]] || return 0
  choose_postgres_version
  if any_rabbitmq_node_running || postgres_running; then
    die "the stack is running on base port $RECORDED_BASE_PORT, not $BASE_PORT; run utils/stack.sh down first"
  fi
}

any_rabbitmq_node_running() {
  local index
  for ((index = 1; index <= NODE_COUNT; index++)); do
    select_rabbitmq_node "$index"
    rabbitmq_launcher_pid >/dev/null && return 0
  done
  return 1
}

# A stack's node count is fixed once its first node has booted: a node of a cluster cannot
# run alone (its quorum queues need a majority), and one node's queues and MQTT sessions
# are not a cluster's. Sets NODE_COUNT and records it.
check_node_count() {
  local requested=$1 recorded=""
  [[ -f "$NODE_COUNT_FILE" ]] && recorded="$(<"$NODE_COUNT_FILE")"
  recorded="${recorded:-1}"
  choose_node_count "$requested"
  select_rabbitmq_node 1
  if [[ "$NODE_COUNT" != "$recorded" && -d "$NODE_MNESIA_DIR" ]]; then
    die "this stack has $recorded RabbitMQ node(s), not $NODE_COUNT; to change that:" \
      "utils/stack.sh down --purge && utils/stack.sh up --nodes $NODE_COUNT"
  fi
  printf '%s\n' "$NODE_COUNT" >"$NODE_COUNT_FILE"
}

# Before anything starts: the ports of every component that is not running must be free.
check_ports_free() {
  local index
  for ((index = 1; index <= NODE_COUNT; index++)); do
    select_rabbitmq_node "$index"
    rabbitmq_launcher_pid >/dev/null && continue
    # shellcheck disable=SC2046 # one word per port
    require_ports_free "RabbitMQ node $NODE_NAME" $(rabbitmq_node_ports "$index")
  done
  if ! any_rabbitmq_node_running; then
    # An epmd left on our private port by an earlier node is ours to reuse; anything else is not.
    if port_listening "$EPMD_PORT" && ! ERL_EPMD_PORT="$EPMD_PORT" epmd -names >/dev/null 2>&1; then
      require_ports_free "RabbitMQ's epmd" "$EPMD_PORT"
    fi
  fi
  if ! postgres_running; then
    require_ports_free PostgreSQL "$POSTGRES_PORT"
  fi
}

cmd_up() {
  local started=$SECONDS
  take_lock
  check_node_count "${1:-}"
  check_base_port_unchanged
  ensure_packages
  check_ports_free
  load_or_generate_secrets
  ensure_tls
  place_postgres_dir
  resolve_postgres_paths
  printf '%s\n' "$BASE_PORT" >"$BASE_PORT_FILE"
  choose_broker_auth_port
  write_env_file

  start_broker_auth
  launch_rabbitmq_nodes
  start_postgres
  wait_for_postgres
  run_postgres_init
  finish_rabbitmq_nodes

  log "up in $((SECONDS - started))s: RabbitMQ $(describe_rabbitmq_nodes)," \
    "PostgreSQL $PG_VERSION (port $POSTGRES_PORT); env in $ENV_FILE"
}

# "node N (AMQP a, MQTT m, MQTTS s, management g)" for every node, comma-separated.
describe_rabbitmq_nodes() {
  local index
  for ((index = 1; index <= NODE_COUNT; index++)); do
    select_rabbitmq_node "$index"
    ((index == 1)) || printf ', '
    printf '%s (AMQP %s, MQTT %s, MQTTS %s, management %s)' "$NODE_NAME" "$NODE_AMQP_PORT" \
      "$NODE_MQTT_PORT" "$NODE_MQTTS_PORT" "$NODE_MANAGEMENT_PORT"
  done
  select_rabbitmq_node 1
}

# Scratch databases are named iot_<something>, never iot itself.
check_scratch_db_name() {
  [[ "${1:-}" =~ ^iot_[a-z0-9_]{1,40}$ ]] || die "database name must match iot_[a-z0-9_]{1,40}, not '${1:-}'"
}

cmd_createdb() {
  check_scratch_db_name "${1:-}"
  take_lock
  choose_postgres_version
  postgres_ready || die "PostgreSQL is not up; run utils/stack.sh up first"
  load_or_generate_secrets
  IOT_DB_NAME="$1" run_postgres_init
}

cmd_dropdb() {
  check_scratch_db_name "${1:-}"
  choose_postgres_version
  postgres_ready || die "PostgreSQL is not up"
  (cd / && as_postgres "$PG_BIN/psql" -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
    -h "$POSTGRES_SOCKET_DIR" -p "$POSTGRES_PORT" -U postgres -d postgres \
    -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)")
}

cmd_down() {
  local purge=0
  case "${1:-}" in
    "") ;;
    --purge) purge=1 ;;
    *) usage ;;
  esac
  [[ -d "$STACK_DIR" ]] || return 0
  take_lock
  choose_postgres_version
  if ((purge)); then stop_rabbitmq "all at once"; else stop_rabbitmq; fi
  stop_broker_auth
  if [[ -x "$PG_BIN/pg_ctl" ]]; then stop_postgres; fi
  if ((purge)); then
    log "removing $STACK_DIR"
    exec 9>&-
    # A cluster kept outside the checkout (see place_postgres_dir) goes too.
    if [[ -L "$POSTGRES_LINK" ]]; then rm -rf -- "$(dirname "$POSTGRES_DIR")"; fi
    rm -rf -- "${STACK_DIR:?}"
  fi
}

cmd_status() {
  choose_postgres_version
  local rabbitmq postgres=down api=down code=0 index label
  for ((index = 1; index <= NODE_COUNT; index++)); do
    select_rabbitmq_node "$index"
    rabbitmq=down
    if rabbitmq_launcher_pid >/dev/null && rabbitmq_ports_answer; then rabbitmq=up; else code=3; fi
    # rabbitmq, then rabbitmq-2, rabbitmq-3 for a cluster's other nodes.
    label=rabbitmq
    ((index == 1)) || label="rabbitmq-$index"
    printf '%-10s %-4s node %s, AMQP %s, MQTT %s, MQTTS %s, management %s, prometheus %s, dist %s, epmd %s\n' \
      "$label" "$rabbitmq" "$NODE_NAME" "$NODE_AMQP_PORT" "$NODE_MQTT_PORT" "$NODE_MQTTS_PORT" \
      "$NODE_MANAGEMENT_PORT" "${NODE_PROMETHEUS_PORT:-none}" "$NODE_DIST_PORT" "$EPMD_PORT"
  done
  select_rabbitmq_node 1
  local auth=down auth_port
  auth_port="$(cat "$BROKER_AUTH_PORT_FILE" 2>/dev/null || printf none)"
  if broker_auth_pid >/dev/null; then auth=up; else code=3; fi
  printf '%-10s %-4s port %s (RabbitMQ asks it about logins; log %s)\n' \
    broker-auth "$auth" "$auth_port" "$BROKER_AUTH_LOG"
  if [[ -x "$PG_BIN/pg_isready" ]] && postgres_ready; then postgres=up; fi
  printf '%-10s %-4s PostgreSQL %s, port %s, socket %s\n' \
    postgres "$postgres" "$PG_VERSION" "$POSTGRES_PORT" "$POSTGRES_SOCKET_DIR"
  # iot-api is a service, not part of the stack: whether it listens leaves the exit code alone.
  if port_listening "$API_PORT"; then api=up; fi
  printf '%-10s %-4s https://localhost:%s (IOT_API_URL; trusts CA %s)\n' \
    api "$api" "$API_PORT" "$TLS_DIR/ca.pem"
  printf 'env        %s\n' "$([[ -f "$ENV_FILE" ]] && printf '%s' "$ENV_FILE" || printf 'none (run utils/stack.sh up)')"
  [[ "$postgres" == up ]] || code=3
  return "$code"
}
