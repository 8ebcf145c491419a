# shellcheck shell=bash
# What each command of utils/stack.sh does, in terms of the parts: up, down, status, createdb
# and dropdb. Sourced by utils/stack.sh.

# An override of the base port must not orphan a stack already running on other ports.
check_base_port_unchanged() {
  [[ -n "$RECORDED_BASE_PORT" && "$RECORDED_BASE_PORT" != "$BASE_PORT" ]] || return 0
  choose_postgres_version
  if rabbitmq_launcher_pid >/dev/null || postgres_running; then
    die "the stack is running on base port $RECORDED_BASE_PORT, not $BASE_PORT; run utils/stack.sh down first"
  fi
}

# Before anything starts: the ports of every component that is not running must be free.
check_ports_free() {
  if ! rabbitmq_launcher_pid >/dev/null; then
    require_ports_free RabbitMQ "$AMQP_PORT" "$MANAGEMENT_PORT" "$MQTT_PORT" "$MQTTS_PORT" "$PROMETHEUS_PORT" "$DIST_PORT"
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
  check_base_port_unchanged
  ensure_packages
  check_ports_free
  load_or_generate_secrets
  ensure_tls
  place_postgres_dir
  resolve_postgres_paths
  printf '%s\n' "$BASE_PORT" >"$BASE_PORT_FILE"
  write_env_file

  start_rabbitmq
  start_postgres
  wait_for_postgres
  run_postgres_init
  wait_for_rabbitmq
  provision_rabbitmq
  import_rabbitmq_definitions

  log "up in $((SECONDS - started))s: RabbitMQ $RABBITMQ_NODE (AMQP $AMQP_PORT, MQTT $MQTT_PORT, MQTTS $MQTTS_PORT," \
    "management $MANAGEMENT_PORT), PostgreSQL $PG_VERSION (port $POSTGRES_PORT); env in $ENV_FILE"
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
  stop_rabbitmq
  if [[ -x "$PG_BIN/pg_ctl" ]]; then stop_postgres; fi
  if ((purge)); then
    log "removing $STACK_DIR"
    exec 9>&-
    # A cluster kept outside the checkout (see place_postgres_dir) goes too.
    if [[ -L "$POSTGRES_LINK" ]]; then rm -rf -- "$(dirname "$POSTGRES_DIR")"; fi
    rm -rf -- "${REPO_ROOT:?}/.stack"
  fi
}

cmd_status() {
  choose_postgres_version
  local rabbitmq=down postgres=down api=down code=0
  if rabbitmq_launcher_pid >/dev/null && rabbitmq_ports_answer; then rabbitmq=up; fi
  if [[ -x "$PG_BIN/pg_isready" ]] && postgres_ready; then postgres=up; fi
  printf '%-10s %-4s node %s, AMQP %s, MQTT %s, management %s, prometheus %s, dist %s, epmd %s\n' \
    rabbitmq "$rabbitmq" "$RABBITMQ_NODE" "$AMQP_PORT" "$MQTT_PORT" "$MANAGEMENT_PORT" \
    "$PROMETHEUS_PORT" "$DIST_PORT" "$EPMD_PORT"
  printf '%-10s %-4s PostgreSQL %s, port %s, socket %s\n' \
    postgres "$postgres" "$PG_VERSION" "$POSTGRES_PORT" "$POSTGRES_SOCKET_DIR"
  # iot-api is a service, not part of the stack: whether it listens leaves the exit code alone.
  if port_listening "$API_PORT"; then api=up; fi
  printf '%-10s %-4s https://localhost:%s (IOT_API_URL; trusts CA %s)\n' \
    api "$api" "$API_PORT" "$TLS_DIR/ca.pem"
  printf 'env        %s\n' "$([[ -f "$ENV_FILE" ]] && printf '%s' "$ENV_FILE" || printf 'none (run utils/stack.sh up)')"
  [[ "$rabbitmq" == up && "$postgres" == up ]] || code=3
  return "$code"
}
