# shellcheck shell=bash
# The RabbitMQ nodes: their environment, configuration, start and readiness, users,
# definitions and stop. One node by default; up --nodes 3 adds two (utils/stack/cluster.sh).
# Sourced by utils/stack.sh.

readonly RABBITMQ_DEPS="$REPO_ROOT/dependencies/rabbitmq"
readonly RABBITMQ_DEFINITIONS="$RABBITMQ_DEPS/definitions.json"
readonly RABBITMQ_BIN=/usr/lib/rabbitmq/bin
# Every node lives here: one HOME, so one Erlang cookie for the whole cluster.
readonly RABBITMQ_DIR="$STACK_DIR/rabbitmq"
readonly RABBITMQ_LOG_DIR="$RABBITMQ_DIR/log"
readonly RABBITMQ_ADMIN_USER=iot-admin
readonly RABBITMQ_SERVICES_USER=iot-services

# Sets the NODE_* names, ports and files of node $1 (1 to NODE_COUNT); every function below
# works on the node selected last. Node 1 keeps the names a one-node stack always had
# (rabbitmq.conf, launcher.pid...); node k adds -k to them.
# shellcheck disable=SC2034 # the node's variables are for the other parts too
select_rabbitmq_node() {
  NODE_INDEX=$1
  local suffix="" first
  if ((NODE_INDEX == 1)); then
    NODE_NAME="$RABBITMQ_NODE"
    NODE_AMQP_PORT=$AMQP_PORT NODE_MANAGEMENT_PORT=$MANAGEMENT_PORT NODE_MQTT_PORT=$MQTT_PORT
    NODE_MQTTS_PORT=$MQTTS_PORT NODE_DIST_PORT=$DIST_PORT NODE_PROMETHEUS_PORT=$PROMETHEUS_PORT
  else
    suffix="-$NODE_INDEX"
    # See derive_names_and_ports in common.sh for the scheme.
    first=$((EXTRA_BASE_PORT + 5 * (NODE_INDEX - 2)))
    NODE_NAME="iot-$PATH_HASH$suffix@localhost"
    NODE_AMQP_PORT=$first NODE_MANAGEMENT_PORT=$((first + 1)) NODE_MQTT_PORT=$((first + 2))
    NODE_MQTTS_PORT=$((first + 3)) NODE_DIST_PORT=$((first + 4)) NODE_PROMETHEUS_PORT=""
  fi
  NODE_CONF="$RABBITMQ_DIR/rabbitmq$suffix.conf"
  NODE_PLUGINS="$RABBITMQ_DIR/enabled_plugins$suffix"
  NODE_PID_FILE="$RABBITMQ_DIR/rabbitmq$suffix.pid"
  NODE_LAUNCHER_PID_FILE="$RABBITMQ_DIR/launcher$suffix.pid"
  NODE_LOG="$RABBITMQ_LOG_DIR/rabbitmq$suffix.log"
  NODE_STDOUT_LOG="$RABBITMQ_LOG_DIR/stdout$suffix.log"
  NODE_MNESIA_DIR="$RABBITMQ_DIR/mnesia/$NODE_NAME"
}

# The ports of node $1 that are its own (epmd is shared), for the free-port check.
rabbitmq_node_ports() {
  select_rabbitmq_node "$1"
  printf '%s\n' "$NODE_AMQP_PORT" "$NODE_MANAGEMENT_PORT" "$NODE_MQTT_PORT" "$NODE_MQTTS_PORT" \
    "$NODE_DIST_PORT" ${NODE_PROMETHEUS_PORT:+"$NODE_PROMETHEUS_PORT"}
}

# The environment of the selected node and of every CLI call against it. Debian's /usr/sbin
# wrappers switch to the rabbitmq user and drop the environment, hence /usr/lib/rabbitmq/bin.
export_rabbitmq_env() {
  # HOME holds the Erlang cookie: ours, not the system node's.
  export HOME="$RABBITMQ_DIR"
  export RABBITMQ_NODENAME="$NODE_NAME"
  # 3.10 accepts the path with or without .conf.
  export RABBITMQ_CONFIG_FILE="$NODE_CONF"
  # Ours: keeps /etc/rabbitmq/advanced.config and the system's rabbitmq-env.conf (which sets
  # NODENAME=rabbit@localhost) away from our node.
  export RABBITMQ_ADVANCED_CONFIG_FILE="$RABBITMQ_DIR/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$RABBITMQ_DIR/rabbitmq-env.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$NODE_PLUGINS"
  export RABBITMQ_MNESIA_BASE="$RABBITMQ_DIR/mnesia"
  export RABBITMQ_MNESIA_DIR="$NODE_MNESIA_DIR"
  export RABBITMQ_LOG_BASE="$RABBITMQ_LOG_DIR"
  export RABBITMQ_LOGS="$NODE_LOG"
  export RABBITMQ_PID_FILE="$NODE_PID_FILE"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$NODE_AMQP_PORT"
  export RABBITMQ_DIST_PORT="$NODE_DIST_PORT"
  # Our own epmd on a private port, listening on loopback only; distribution on loopback too.
  export ERL_EPMD_PORT="$EPMD_PORT"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  unset ERL_FLAGS ERL_AFLAGS ERL_ZFLAGS RABBITMQ_USE_LONGNAME
}

# rabbitmqctl (or $RABBITMQ_CLI: rabbitmq-queues...) against the selected node.
rabbitmqctl() {
  (
    export_rabbitmq_env
    exec "$RABBITMQ_BIN/${RABBITMQ_CLI:-rabbitmqctl}" -n "$NODE_NAME" "$@"
  )
}

# Derives the selected node's rabbitmq.conf from the committed base: listeners move to its
# ports on 127.0.0.1, load_definitions to the absolute path (dropped, with a warning, while
# definitions.json does not exist yet: RabbitMQ refuses to boot on a missing file; dropped
# on the extra nodes of a cluster, which get the definitions from node 1), every other
# line is kept. Overrides for keys the base lacks are appended, then a cluster's settings.
write_rabbitmq_config() {
  local definitions="$RABBITMQ_DEFINITIONS"
  if ((NODE_INDEX > 1)); then
    definitions=""
  elif [[ ! -f "$definitions" ]]; then
    log "warning: $definitions does not exist yet (npm run gen:definitions); booting without it"
    definitions=""
  fi
  awk -v amqp="127.0.0.1:$NODE_AMQP_PORT" -v mgmt="$NODE_MANAGEMENT_PORT" \
    -v mqtt="127.0.0.1:$NODE_MQTT_PORT" -v prom="$NODE_PROMETHEUS_PORT" -v defs="$definitions" \
    -v mqtts="127.0.0.1:$NODE_MQTTS_PORT" -v tls="$TLS_DIR" \
    -v auth="http://127.0.0.1:$BROKER_AUTH_PORT/auth" '
    BEGIN {
      # Devices: MQTT over TLS with the CA and server certificate of tls.sh. Devices
      # authenticate with passwords, so no client certificate is asked for.
      override["mqtt.listeners.ssl.default"] = mqtts
      override["ssl_options.cacertfile"] = tls "/ca.pem"
      override["ssl_options.certfile"] = tls "/server.pem"
      override["ssl_options.keyfile"] = tls "/server-key.pem"
      override["ssl_options.verify"] = "verify_none"
      override["ssl_options.fail_if_no_peer_cert"] = "false"
      override["listeners.tcp.default"] = amqp
      override["management.tcp.port"] = mgmt
      override["management.tcp.ip"] = "127.0.0.1"
      override["mqtt.listeners.tcp.default"] = mqtt
      override["prometheus.tcp.port"] = prom
      override["prometheus.tcp.ip"] = prom == "" ? "" : "127.0.0.1"
      override["load_definitions"] = defs
      override["auth_http.user_path"] = auth "/user"
      override["auth_http.vhost_path"] = auth "/vhost"
      override["auth_http.resource_path"] = auth "/resource"
      override["auth_http.topic_path"] = auth "/topic"
      print "## Generated by utils/stack.sh from dependencies/rabbitmq/rabbitmq.conf: edit that file."
    }
    /^[[:space:]]*[a-z]/ {
      key = $1; sub(/[[:space:]]*=.*/, "", key)
      # A node without the Prometheus plugin would refuse its keys.
      if (prom == "" && key ~ /^prometheus\./) { print "## (no Prometheus on this node) " $0; next }
      if (key in override) {
        seen[key] = 1
        if (override[key] == "") { print "## (local stack) " $0; next }
        print key " = " override[key]; next
      }
    }
    { print }
    END {
      for (key in override) if (!(key in seen) && override[key] != "") print key " = " override[key]
    }' "$RABBITMQ_DEPS/rabbitmq.conf" >"$NODE_CONF.tmp"
  # shellcheck disable=SC2153 # NODE_COUNT: set by choose_node_count (common.sh)
  ((NODE_COUNT == 1)) || write_cluster_config >>"$NODE_CONF.tmp"
  mv -f "$NODE_CONF.tmp" "$NODE_CONF"
  if [[ -n "$NODE_PROMETHEUS_PORT" ]]; then
    cp -f "$RABBITMQ_DEPS/enabled_plugins" "$NODE_PLUGINS"
  else
    # Without a port of its own, the Prometheus plugin would take the system's 15692.
    sed 's/,\{0,1\}rabbitmq_prometheus//' "$RABBITMQ_DEPS/enabled_plugins" >"$NODE_PLUGINS"
  fi
  cp -f "$RABBITMQ_DEPS/advanced.config" "$RABBITMQ_DIR/advanced.config"
  # Empty on purpose: see RABBITMQ_CONF_ENV_FILE.
  : >"$RABBITMQ_DIR/rabbitmq-env.conf"
}

# Our cookie, created before the first boot so the server and the CLI never race to make one.
ensure_erlang_cookie() {
  local cookie="$RABBITMQ_DIR/.erlang.cookie"
  [[ -s "$cookie" ]] && return 0
  (
    umask 077
    openssl rand -hex 20 | tr -d '\n' >"$cookie"
  )
  chmod 400 "$cookie"
}

# The pid in the file when that process is alive and belongs to the selected node (its
# environment names the node: guards against a reused pid), else nothing and failure.
our_pid_from() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(tr -dc '0-9' <"$1")"
  if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then return 1; fi
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "RABBITMQ_NODENAME=$NODE_NAME" || return 1
  printf '%s' "$pid"
}

# Our node is running (or still booting) while its launcher lives: rabbitmq-server, the
# script that runs the Erlang VM and waits for it. Its pid is known from the moment of the
# launch, unlike the VM's own pid file, which appears only some seconds into the boot.
rabbitmq_launcher_pid() { our_pid_from "$NODE_LAUNCHER_PID_FILE"; }

rabbitmq_ports_answer() {
  local port
  for port in "$NODE_AMQP_PORT" "$NODE_MQTT_PORT" "$NODE_MQTTS_PORT" "$NODE_MANAGEMENT_PORT" \
    ${NODE_PROMETHEUS_PORT:+"$NODE_PROMETHEUS_PORT"}; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 1
  done
}

# Calls the management API as the admin user; prints the HTTP status. Credentials and body
# go through /dev/fd so they never appear in the process list.
management_api() {
  local method=$1 path=$2 body=${3:-}
  local url="http://127.0.0.1:$NODE_MANAGEMENT_PORT/api$path"
  if [[ -n "$body" ]]; then
    curl -sS -o /dev/null -w '%{http_code}' -X "$method" -H 'content-type: application/json' \
      -K <(printf 'user = "%s:%s"\n' "$RABBITMQ_ADMIN_USER" "$IOT_RABBITMQ_ADMIN_PASSWORD") \
      --data-binary @<(printf '%s' "$body") "$url" || true
  else
    curl -sS -o /dev/null -w '%{http_code}' -X "$method" \
      -K <(printf 'user = "%s:%s"\n' "$RABBITMQ_ADMIN_USER" "$IOT_RABBITMQ_ADMIN_PASSWORD") "$url" || true
  fi
}

# Starts the selected node unless it runs; sets RABBITMQ_LAUNCHED_<index> when it did.
start_rabbitmq() {
  mkdir -p "$RABBITMQ_DIR" "$RABBITMQ_LOG_DIR"
  write_rabbitmq_config
  ensure_erlang_cookie
  if rabbitmq_launcher_pid >/dev/null; then
    return 0
  fi
  rm -f "$NODE_LAUNCHER_PID_FILE"
  log "starting RabbitMQ node $NODE_NAME (log: $NODE_LOG)"
  # setsid: the node gets its own session and outlives this script and the terminal or test
  # runner that ran it. The inner bash records its pid and execs rabbitmq-server, so
  # launcher.pid is the launcher's pid whether or not setsid had to fork.
  (
    export_rabbitmq_env
    cd "$RABBITMQ_DIR" || exit
    # The daemon must not inherit (and so hold forever) the lock on fd 9.
    exec 9>&-
    # shellcheck disable=SC2016 # $$, $1, $2 belong to the inner bash
    exec setsid bash -c 'echo "$$" >"$1"; exec nohup "$2"' launcher \
      "$NODE_LAUNCHER_PID_FILE" "$RABBITMQ_BIN/rabbitmq-server" </dev/null >"$NODE_STDOUT_LOG" 2>&1
  ) &
  printf -v "RABBITMQ_LAUNCHED_$NODE_INDEX" 1
  local deadline=$((SECONDS + 10))
  until rabbitmq_launcher_pid >/dev/null; do
    ((SECONDS < deadline)) || rabbitmq_failed "did not start"
    sleep 0.1
  done
}

# Dies naming the logs, after the first errors of this boot (a config error, say, appears
# only in the node's stdout: file logging is not set up yet at that point).
rabbitmq_failed() {
  if [[ -f "$NODE_STDOUT_LOG" ]]; then
    grep -m 8 '\[error\]' "$NODE_STDOUT_LOG" | sed 's/^.*\[error\] <[^>]*> /  /' >&2 || true
  fi
  die "RabbitMQ node $NODE_NAME $1. Read $NODE_STDOUT_LOG and $NODE_LOG."
}

wait_for_rabbitmq() {
  local deadline=$((SECONDS + READY_TIMEOUT)) remaining
  # Ready when every listener (AMQP, MQTT, management, Prometheus) accepts connections: the
  # plugins' listeners open at the very end of the boot.
  until rabbitmq_ports_answer; do
    ((SECONDS < deadline)) || rabbitmq_failed "did not become ready within ${READY_TIMEOUT}s"
    rabbitmq_launcher_pid >/dev/null || rabbitmq_failed "stopped while starting"
    sleep 0.5
  done
  # A node we just started also has to report the boot finished (about 1.5 s, so only then).
  local launched="RABBITMQ_LAUNCHED_$NODE_INDEX"
  if [[ -n "${!launched:-}" ]]; then
    remaining=$((deadline - SECONDS))
    ((remaining > 0)) || remaining=1
    rabbitmqctl -q await_startup --timeout "$remaining" >/dev/null 2>&1 ||
      rabbitmq_failed "did not finish booting within ${READY_TIMEOUT}s"
  fi
}

# Users: iot-admin (administrator, management API and tests) and iot-services (the services,
# AMQP); guest deleted. The admin is bootstrapped with rabbitmqctl (about 1.5 s per call), so
# only when it cannot log in; the rest goes through the management API, which is instant.
provision_rabbitmq() {
  if [[ "$(management_api GET /whoami)" != 200 ]]; then
    log "creating RabbitMQ user $RABBITMQ_ADMIN_USER"
    if rabbitmqctl -q list_users --silent | awk '{print $1}' | grep -qxF "$RABBITMQ_ADMIN_USER"; then
      rabbitmqctl -q change_password "$RABBITMQ_ADMIN_USER" "$IOT_RABBITMQ_ADMIN_PASSWORD" >/dev/null
    else
      rabbitmqctl -q add_user "$RABBITMQ_ADMIN_USER" "$IOT_RABBITMQ_ADMIN_PASSWORD" >/dev/null
    fi
    rabbitmqctl -q set_user_tags "$RABBITMQ_ADMIN_USER" administrator >/dev/null
    rabbitmqctl -q set_permissions -p / "$RABBITMQ_ADMIN_USER" '.*' '.*' '.*' >/dev/null
  fi
  local status
  status="$(management_api PUT "/users/$RABBITMQ_SERVICES_USER" \
    "{\"password\":\"$IOT_RABBITMQ_SERVICES_PASSWORD\",\"tags\":\"\"}")"
  [[ "$status" == 201 || "$status" == 204 ]] || rabbitmq_failed "refused to create user $RABBITMQ_SERVICES_USER (HTTP $status)"
  status="$(management_api PUT "/permissions/%2F/$RABBITMQ_SERVICES_USER" \
    '{"configure":".*","write":".*","read":".*"}')"
  [[ "$status" == 201 || "$status" == 204 ]] || rabbitmq_failed "refused permissions for $RABBITMQ_SERVICES_USER (HTTP $status)"
  status="$(management_api DELETE /users/guest)"
  [[ "$status" == 204 || "$status" == 404 ]] || rabbitmq_failed "refused to delete user guest (HTTP $status)"
}

# load_definitions applies definitions.json at boot; importing it again on every `up` picks
# up a definitions.json generated (or extended) while the node was running. Additive and
# idempotent. Note: RabbitMQ skips queues that already exist, silently, so a changed
# x-argument of an existing queue only takes effect after `down --purge` (or via a policy).
import_rabbitmq_definitions() {
  [[ -f "$RABBITMQ_DEFINITIONS" ]] || return 0
  local response status
  response="$(curl -sS -w '\n%{http_code}' -X POST -H 'content-type: application/json' \
    -K <(printf 'user = "%s:%s"\n' "$RABBITMQ_ADMIN_USER" "$IOT_RABBITMQ_ADMIN_PASSWORD") \
    --data-binary "@$RABBITMQ_DEFINITIONS" "http://127.0.0.1:$NODE_MANAGEMENT_PORT/api/definitions")" || true
  status="${response##*$'\n'}"
  if [[ "$status" != 204 && "$status" != 201 && "$status" != 200 ]]; then
    die "RabbitMQ rejected $RABBITMQ_DEFINITIONS (HTTP $status): ${response%$'\n'*}." \
      "If an existing queue changed its arguments: utils/stack.sh down --purge && utils/stack.sh up"
  fi
}

# Stops the selected node (one whose VM was killed leaves only stale pid files).
stop_rabbitmq_node() {
  local launcher beam
  if launcher="$(rabbitmq_launcher_pid)"; then
    log "stopping RabbitMQ node $NODE_NAME"
    # A graceful stop; if the node cannot take the command (still booting, hung), TERM to
    # the launcher makes it stop the VM the same way.
    rabbitmqctl -q stop >/dev/null 2>&1 || kill -TERM "$launcher" 2>/dev/null || true
    local deadline=$((SECONDS + 60))
    while kill -0 "$launcher" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
    if kill -0 "$launcher" 2>/dev/null; then
      log "RabbitMQ did not stop within 60s; killing it"
      beam="$(our_pid_from "$NODE_PID_FILE")" && kill -KILL "$beam" 2>/dev/null
      kill -KILL "$launcher" 2>/dev/null || true
    fi
  fi
  rm -f "$NODE_LAUNCHER_PID_FILE" "$NODE_PID_FILE"
}

# Stops every node, the last first: node 1 stops last, so it may boot first next time
# (a clustered node that was not the last to stop waits for the others at boot). With
# "all at once" ($1, when the data goes anyway: down --purge), in parallel.
stop_rabbitmq() {
  local index
  for ((index = NODE_COUNT; index >= 1; index--)); do
    select_rabbitmq_node "$index"
    if [[ "${1:-}" == "all at once" ]]; then
      stop_rabbitmq_node &
    else
      stop_rabbitmq_node
    fi
  done
  wait
  select_rabbitmq_node 1
  # Our private epmd (started by our node) goes too; -kill only works when no node is registered.
  if port_listening "$EPMD_PORT" && ERL_EPMD_PORT="$EPMD_PORT" epmd -names >/dev/null 2>&1; then
    ERL_EPMD_PORT="$EPMD_PORT" epmd -kill >/dev/null 2>&1 || true
  fi
}
