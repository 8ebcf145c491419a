#!/usr/bin/env bash
# The local stack: a private RabbitMQ node and a private PostgreSQL/PostGIS cluster for this
# checkout, started from the binaries installed on the machine, with the committed
# configuration in dependencies/, everything else under .stack/ (git-ignored).
#
#   utils/stack.sh up              start both (idempotent; fast when already up), write .stack/env
#   utils/stack.sh down [--purge]  stop both, keeping the data (--purge: delete .stack/ too)
#   utils/stack.sh status          show each component; exit 0 when both are up, 3 otherwise
#   utils/stack.sh rabbitmqctl ... run rabbitmqctl against our node (right HOME, node, epmd)
#   utils/stack.sh createdb NAME   a fresh database like iot (same roles, PostGIS), NAME iot_*:
#                                  for runs that want tables of their own (npm run bench)
#   utils/stack.sh dropdb NAME     drop it, closing its connections
#
# Servers already on the machine (system RabbitMQ, epmd, PostgreSQL, Mosquitto...) are never
# touched and their ports never used: every port is derived from the checkout's path, so
# two checkouts on one machine do not clash either.
#
# Ports (base: 20000-29990 in steps of 10 from a hash of the path, or IOT_STACK_BASE_PORT):
#   base+0 AMQP   base+1 management   base+2 MQTT   base+3 Prometheus
#   base+4 Erlang distribution   base+5 PostgreSQL   base+6 IOT_HTTP_PORT (for the services)
#   base+7 our own epmd (the system's epmd on 4369 is not ours to use)
#   base+8 IOT_API_PORT (iot-api's HTTPS; the stack only names it, iot-api listens there)
# An IOT_STACK_BASE_PORT override sticks (.stack/base-port) until the next override or purge.
# IOT_STACK_TIMEOUT: seconds each server gets to become ready (default 120).
#
# TLS for iot-api: a private CA and a server certificate for localhost, 127.0.0.1, ::1 and
# iot-api, made once in .stack/tls by dependencies/tls/make-certs.sh (renewed within 30 days
# of expiry). Clients trust .stack/tls/ca.pem (IOT_TLS_CA_FILE).
#
# .stack/env holds KEY='value' lines: `set -a; . .stack/env; set +a` in a shell.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly REPO_ROOT
readonly STACK_DIR="$REPO_ROOT/.stack"
readonly ENV_FILE="$STACK_DIR/env"
readonly BASE_PORT_FILE="$STACK_DIR/base-port"
readonly LOCK_FILE="$STACK_DIR/.lock"

readonly TLS_DIR="$STACK_DIR/tls"
readonly TLS_SCRIPT="$REPO_ROOT/dependencies/tls/make-certs.sh"
# What the server certificate is valid for: this machine, and the compose service name.
readonly TLS_SANS=(DNS:localhost IP:127.0.0.1 IP:::1 DNS:iot-api)

readonly RABBITMQ_DEPS="$REPO_ROOT/dependencies/rabbitmq"
readonly RABBITMQ_DEFINITIONS="$RABBITMQ_DEPS/definitions.json"
readonly RABBITMQ_BIN=/usr/lib/rabbitmq/bin
readonly RABBITMQ_DIR="$STACK_DIR/rabbitmq"
readonly RABBITMQ_CONF="$RABBITMQ_DIR/rabbitmq.conf"
readonly RABBITMQ_PID_FILE="$RABBITMQ_DIR/rabbitmq.pid"
readonly RABBITMQ_LAUNCHER_PID_FILE="$RABBITMQ_DIR/launcher.pid"
readonly RABBITMQ_LOG_DIR="$RABBITMQ_DIR/log"
readonly RABBITMQ_LOG="$RABBITMQ_LOG_DIR/rabbitmq.log"
readonly RABBITMQ_STDOUT_LOG="$RABBITMQ_LOG_DIR/stdout.log"
readonly RABBITMQ_ADMIN_USER=iot-admin
readonly RABBITMQ_SERVICES_USER=iot-services

readonly POSTGRES_DEPS="$REPO_ROOT/dependencies/timescaledb"
readonly POSTGRES_INIT_SCRIPT="$POSTGRES_DEPS/init/001-init.sh"
# .stack/postgres, or a symlink to where the cluster really lives (see place_postgres_dir);
# resolve_postgres_paths sets POSTGRES_DIR, _DATA, _SOCKET_DIR and _LOG to the real place.
readonly POSTGRES_LINK="$STACK_DIR/postgres"

# Seconds each server gets to become ready.
readonly READY_TIMEOUT="${IOT_STACK_TIMEOUT:-120}"

# Secrets generated once and kept in .stack/env across `up`s.
readonly SECRET_NAMES=(
  IOT_RABBITMQ_ADMIN_PASSWORD IOT_RABBITMQ_SERVICES_PASSWORD
  IOT_DB_OWNER_PASSWORD IOT_DB_APP_PASSWORD IOT_DB_READONLY_PASSWORD IOT_DB_MONITORING_PASSWORD
  IOT_ADMIN_PASSWORD IOT_JWT_SECRET IOT_DEVICE_SECRET
)

log() { printf 'stack: %s\n' "$*" >&2; }
die() {
  printf 'stack: error: %s\n' "$*" >&2
  exit 1
}
usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}
is_root() { [[ "$(id -u)" -eq 0 ]]; }

# ---------------------------------------------------------------------------------------
# Names and ports
# ---------------------------------------------------------------------------------------

# Sets PATH_HASH, BASE_PORT, every *_PORT and RABBITMQ_NODE. The base port comes from
# IOT_STACK_BASE_PORT, else from the one recorded by the last `up` (so `status` and `down`
# find a stack started with an override), else from the checkout's path.
derive_names_and_ports() {
  PATH_HASH="$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-8)"
  RABBITMQ_NODE="iot-$PATH_HASH@localhost"
  local derived=$((20000 + (16#$PATH_HASH % 1000) * 10))
  RECORDED_BASE_PORT=""
  [[ -f "$BASE_PORT_FILE" ]] && RECORDED_BASE_PORT="$(<"$BASE_PORT_FILE")"
  if [[ -n "${IOT_STACK_BASE_PORT:-}" ]]; then
    if ! [[ "$IOT_STACK_BASE_PORT" =~ ^[0-9]{4,5}$ ]] || ((10#$IOT_STACK_BASE_PORT < 1024 || 10#$IOT_STACK_BASE_PORT > 65520)); then
      die "IOT_STACK_BASE_PORT must be a number from 1024 to 65520, not '$IOT_STACK_BASE_PORT'"
    fi
    BASE_PORT=$((10#$IOT_STACK_BASE_PORT))
  elif [[ "$RECORDED_BASE_PORT" =~ ^[0-9]+$ ]]; then
    BASE_PORT="$RECORDED_BASE_PORT"
  else
    BASE_PORT="$derived"
  fi
  AMQP_PORT=$((BASE_PORT + 0))
  MANAGEMENT_PORT=$((BASE_PORT + 1))
  MQTT_PORT=$((BASE_PORT + 2))
  PROMETHEUS_PORT=$((BASE_PORT + 3))
  DIST_PORT=$((BASE_PORT + 4))
  POSTGRES_PORT=$((BASE_PORT + 5))
  HTTP_PORT=$((BASE_PORT + 6))
  EPMD_PORT=$((BASE_PORT + 7))
  API_PORT=$((BASE_PORT + 8))
}

# True when something listens on the TCP port (any local address).
port_listening() {
  if command -v ss >/dev/null; then
    [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# One line naming whatever listens on the port, for error messages.
port_owner() {
  local owner=""
  command -v ss >/dev/null && owner="$(ss -Hltnp "sport = :$1" 2>/dev/null | awk '{print $4, $6}' | head -n 1)"
  printf '%s' "${owner:-unknown process}"
}

# Dies naming the first port in use. Called only for components that are not running, so
# anything listening there is not ours.
require_ports_free() {
  local component=$1 port
  shift
  for port in "$@"; do
    if port_listening "$port"; then
      die "port $port (for $component) is already in use by: $(port_owner "$port")." \
        "It is not this checkout's stack. Stop that process or pick other ports:" \
        "IOT_STACK_BASE_PORT=<n> utils/stack.sh up  (ports n..n+8 must be free)"
    fi
  done
}

# ---------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------

dpkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# The PostgreSQL major version to run: the one the data directory was created with, else
# the highest installed, else 15 (Debian bookworm's) to install.
choose_postgres_version() {
  if [[ -f "$POSTGRES_DATA/PG_VERSION" ]]; then
    PG_VERSION="$(<"$POSTGRES_DATA/PG_VERSION")"
  else
    PG_VERSION="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null |
      awk -F/ '{print $5}' | sort -V | tail -n 1)"
    PG_VERSION="${PG_VERSION:-15}"
  fi
  PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
}

# Installs what is missing with apt when root; otherwise prints the command and fails.
ensure_packages() {
  choose_postgres_version
  local missing=() package
  local wanted=(rabbitmq-server "postgresql-$PG_VERSION" "postgresql-$PG_VERSION-postgis-3" openssl curl)
  if ! command -v dpkg-query >/dev/null; then
    # Not Debian: the binaries have to be there already.
    [[ -x "$RABBITMQ_BIN/rabbitmq-server" && -x "$PG_BIN/initdb" ]] ||
      die "need RabbitMQ 3.10 in $RABBITMQ_BIN and PostgreSQL with PostGIS in $PG_BIN"
    return 0
  fi
  for package in "${wanted[@]}"; do
    dpkg_installed "$package" || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  if ! is_root; then
    die "missing packages; install them with:" \
      "sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
  fi
  log "installing ${missing[*]} (apt-get)"
  # Lock::Timeout: wait for another apt run on the machine instead of failing.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}" >&2
  choose_postgres_version
}

# ---------------------------------------------------------------------------------------
# Secrets and .stack/env
# ---------------------------------------------------------------------------------------

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
  local tmp="$ENV_FILE.tmp.$$"
  (
    umask 077
    cat >"$tmp" <<EOF
# Written by utils/stack.sh up for this checkout's local stack. Secrets are generated once
# and kept across \`up\`s; delete with \`utils/stack.sh down --purge\`.
IOT_STACK_DIR='$STACK_DIR'
IOT_STACK_BASE_PORT='$BASE_PORT'
IOT_RABBITMQ_NODE='$RABBITMQ_NODE'
IOT_RABBITMQ_HOME='$RABBITMQ_DIR'
IOT_RABBITMQ_EPMD_PORT='$EPMD_PORT'
IOT_AMQP_URL='amqp://$RABBITMQ_SERVICES_USER:$IOT_RABBITMQ_SERVICES_PASSWORD@127.0.0.1:$AMQP_PORT/%2F'
IOT_MQTT_URL='mqtt://127.0.0.1:$MQTT_PORT'
IOT_RABBITMQ_MANAGEMENT_URL='http://127.0.0.1:$MANAGEMENT_PORT'
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

# The CA and iot-api's server certificate in .stack/tls: made on the first `up`, kept after
# that, renewed when the script finds them expiring, mismatched or missing a name.
ensure_tls() {
  "$TLS_SCRIPT" "$TLS_DIR" "${TLS_SANS[@]}" || die "could not make the TLS certificates in $TLS_DIR"
}

# ---------------------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------------------

# The environment of our node and of every CLI call against it. Debian's /usr/sbin wrappers
# switch to the rabbitmq user and drop the environment, hence /usr/lib/rabbitmq/bin.
export_rabbitmq_env() {
  # HOME holds the Erlang cookie: ours, not the system node's.
  export HOME="$RABBITMQ_DIR"
  export RABBITMQ_NODENAME="$RABBITMQ_NODE"
  # 3.10 accepts the path with or without .conf.
  export RABBITMQ_CONFIG_FILE="$RABBITMQ_CONF"
  # Neither file exists: keeps /etc/rabbitmq/advanced.config and the system's
  # rabbitmq-env.conf (which sets NODENAME=rabbit@localhost) away from our node.
  export RABBITMQ_ADVANCED_CONFIG_FILE="$RABBITMQ_DIR/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$RABBITMQ_DIR/rabbitmq-env.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RABBITMQ_DIR/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$RABBITMQ_DIR/mnesia"
  export RABBITMQ_MNESIA_DIR="$RABBITMQ_MNESIA_BASE/$RABBITMQ_NODE"
  export RABBITMQ_LOG_BASE="$RABBITMQ_LOG_DIR"
  export RABBITMQ_LOGS="$RABBITMQ_LOG"
  export RABBITMQ_PID_FILE
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$AMQP_PORT"
  export RABBITMQ_DIST_PORT="$DIST_PORT"
  # Our own epmd on a private port, listening on loopback only; distribution on loopback too.
  export ERL_EPMD_PORT="$EPMD_PORT"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  unset ERL_FLAGS ERL_AFLAGS ERL_ZFLAGS RABBITMQ_USE_LONGNAME
}

rabbitmqctl() {
  (
    export_rabbitmq_env
    exec "$RABBITMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODE" "$@"
  )
}

# Derives .stack/rabbitmq/rabbitmq.conf from the committed base: listeners move to our
# ports on 127.0.0.1, load_definitions to the absolute path (dropped, with a warning, while
# definitions.json does not exist yet: RabbitMQ refuses to boot on a missing file), every
# other line is kept. Overrides for keys the base lacks are appended.
write_rabbitmq_config() {
  local definitions="$RABBITMQ_DEFINITIONS"
  if [[ ! -f "$definitions" ]]; then
    log "warning: $definitions does not exist yet (npm run gen:definitions); booting without it"
    definitions=""
  fi
  awk -v amqp="127.0.0.1:$AMQP_PORT" -v mgmt="$MANAGEMENT_PORT" -v mqtt="127.0.0.1:$MQTT_PORT" \
    -v prom="$PROMETHEUS_PORT" -v defs="$definitions" '
    BEGIN {
      override["listeners.tcp.default"] = amqp
      override["management.tcp.port"] = mgmt
      override["management.tcp.ip"] = "127.0.0.1"
      override["mqtt.listeners.tcp.default"] = mqtt
      override["prometheus.tcp.port"] = prom
      override["prometheus.tcp.ip"] = "127.0.0.1"
      override["load_definitions"] = defs
      print "## Generated by utils/stack.sh from dependencies/rabbitmq/rabbitmq.conf: edit that file."
    }
    /^[[:space:]]*[a-z]/ {
      key = $1; sub(/[[:space:]]*=.*/, "", key)
      if (key in override) {
        seen[key] = 1
        if (override[key] == "") { print "## (local stack) " $0; next }
        print key " = " override[key]; next
      }
    }
    { print }
    END {
      for (key in override) if (!(key in seen) && override[key] != "") print key " = " override[key]
    }' "$RABBITMQ_DEPS/rabbitmq.conf" >"$RABBITMQ_CONF.tmp"
  mv -f "$RABBITMQ_CONF.tmp" "$RABBITMQ_CONF"
  cp -f "$RABBITMQ_DEPS/enabled_plugins" "$RABBITMQ_DIR/enabled_plugins"
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

# The pid in the file when that process is alive and belongs to our node (its environment
# names our node: guards against a reused pid), else nothing and failure.
our_pid_from() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(tr -dc '0-9' <"$1")"
  if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then return 1; fi
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "RABBITMQ_NODENAME=$RABBITMQ_NODE" || return 1
  printf '%s' "$pid"
}

# Our node is running (or still booting) while its launcher lives: rabbitmq-server, the
# script that runs the Erlang VM and waits for it. Its pid is known from the moment of the
# launch, unlike the VM's own pid file, which appears only some seconds into the boot.
rabbitmq_launcher_pid() { our_pid_from "$RABBITMQ_LAUNCHER_PID_FILE"; }

rabbitmq_ports_answer() {
  local port
  for port in "$AMQP_PORT" "$MQTT_PORT" "$MANAGEMENT_PORT" "$PROMETHEUS_PORT"; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 1
  done
}

# Calls the management API as the admin user; prints the HTTP status. Credentials and body
# go through /dev/fd so they never appear in the process list.
management_api() {
  local method=$1 path=$2 body=${3:-}
  local url="http://127.0.0.1:$MANAGEMENT_PORT/api$path"
  if [[ -n "$body" ]]; then
    curl -sS -o /dev/null -w '%{http_code}' -X "$method" -H 'content-type: application/json' \
      -K <(printf 'user = "%s:%s"\n' "$RABBITMQ_ADMIN_USER" "$IOT_RABBITMQ_ADMIN_PASSWORD") \
      --data-binary @<(printf '%s' "$body") "$url" || true
  else
    curl -sS -o /dev/null -w '%{http_code}' -X "$method" \
      -K <(printf 'user = "%s:%s"\n' "$RABBITMQ_ADMIN_USER" "$IOT_RABBITMQ_ADMIN_PASSWORD") "$url" || true
  fi
}

start_rabbitmq() {
  mkdir -p "$RABBITMQ_DIR" "$RABBITMQ_LOG_DIR"
  write_rabbitmq_config
  ensure_erlang_cookie
  if rabbitmq_launcher_pid >/dev/null; then
    return 0
  fi
  rm -f "$RABBITMQ_LAUNCHER_PID_FILE"
  log "starting RabbitMQ node $RABBITMQ_NODE (log: $RABBITMQ_LOG)"
  # setsid: the node gets its own session and outlives this script and the terminal or test
  # runner that ran it. The inner bash records its pid and execs rabbitmq-server, so
  # launcher.pid is the launcher's pid whether or not setsid had to fork.
  (
    export_rabbitmq_env
    cd "$RABBITMQ_DIR"
    # The daemon must not inherit (and so hold forever) the lock on fd 9.
    exec 9>&-
    # shellcheck disable=SC2016 # $$, $1, $2 belong to the inner bash
    exec setsid bash -c 'echo "$$" >"$1"; exec nohup "$2"' launcher \
      "$RABBITMQ_LAUNCHER_PID_FILE" "$RABBITMQ_BIN/rabbitmq-server" </dev/null >"$RABBITMQ_STDOUT_LOG" 2>&1
  ) &
  RABBITMQ_LAUNCHED=1
  local deadline=$((SECONDS + 10))
  until rabbitmq_launcher_pid >/dev/null; do
    ((SECONDS < deadline)) || rabbitmq_failed "did not start"
    sleep 0.1
  done
}

# Dies naming the logs, after the first errors of this boot (a config error, say, appears
# only in the node's stdout: file logging is not set up yet at that point).
rabbitmq_failed() {
  if [[ -f "$RABBITMQ_STDOUT_LOG" ]]; then
    grep -m 8 '\[error\]' "$RABBITMQ_STDOUT_LOG" | sed 's/^.*\[error\] <[^>]*> /  /' >&2 || true
  fi
  die "RabbitMQ $1. Read $RABBITMQ_STDOUT_LOG and $RABBITMQ_LOG."
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
  if [[ -n "${RABBITMQ_LAUNCHED:-}" ]]; then
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
    --data-binary "@$RABBITMQ_DEFINITIONS" "http://127.0.0.1:$MANAGEMENT_PORT/api/definitions")" || true
  status="${response##*$'\n'}"
  if [[ "$status" != 204 && "$status" != 201 && "$status" != 200 ]]; then
    die "RabbitMQ rejected $RABBITMQ_DEFINITIONS (HTTP $status): ${response%$'\n'*}." \
      "If an existing queue changed its arguments: utils/stack.sh down --purge && utils/stack.sh up"
  fi
}

stop_rabbitmq() {
  local launcher beam
  if launcher="$(rabbitmq_launcher_pid)"; then
    log "stopping RabbitMQ node $RABBITMQ_NODE"
    # A graceful stop; if the node cannot take the command (still booting, hung), TERM to
    # the launcher makes it stop the VM the same way.
    rabbitmqctl -q stop >/dev/null 2>&1 || kill -TERM "$launcher" 2>/dev/null || true
    local deadline=$((SECONDS + 60))
    while kill -0 "$launcher" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
    if kill -0 "$launcher" 2>/dev/null; then
      log "RabbitMQ did not stop within 60s; killing it"
      beam="$(our_pid_from "$RABBITMQ_PID_FILE")" && kill -KILL "$beam" 2>/dev/null
      kill -KILL "$launcher" 2>/dev/null || true
    fi
  fi
  rm -f "$RABBITMQ_LAUNCHER_PID_FILE" "$RABBITMQ_PID_FILE"
  # Our private epmd (started by our node) goes too; -kill only works when no node is registered.
  if port_listening "$EPMD_PORT" && ERL_EPMD_PORT="$EPMD_PORT" epmd -names >/dev/null 2>&1; then
    ERL_EPMD_PORT="$EPMD_PORT" epmd -kill >/dev/null 2>&1 || true
  fi
}

# ---------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------

# initdb and pg_ctl refuse to run as root: as root, run them as the postgres user.
as_postgres() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

postgres_owner() { if is_root; then printf postgres; else id -un; fi; }

postgres_running() {
  [[ -f "$POSTGRES_DATA/PG_VERSION" ]] && as_postgres "$PG_BIN/pg_ctl" -D "$POSTGRES_DATA" status >/dev/null 2>&1
}

postgres_ready() {
  "$PG_BIN/pg_isready" -q -h "$POSTGRES_SOCKET_DIR" -p "$POSTGRES_PORT" -U postgres -d postgres
}

# The postgres user must reach its data directory. A checkout under a private directory
# (mktemp -d is 0700, as CI's may be) is not searchable for it: then the cluster lives in
# /var/tmp/iot-stack-<hash>/postgres and .stack/postgres is a symlink to it.
place_postgres_dir() {
  [[ -e "$POSTGRES_LINK" ]] && return 0
  mkdir -p "$STACK_DIR"
  as_postgres test -x "$STACK_DIR" && return 0
  local outside="/var/tmp/iot-stack-$PATH_HASH/postgres"
  log "user $(postgres_owner) cannot reach $STACK_DIR; keeping the cluster in $outside"
  mkdir -p "$outside"
  chmod 755 "$(dirname "$outside")"
  ln -s "$outside" "$POSTGRES_LINK"
}

# PostgreSQL itself must be given real paths: it cannot pass through the checkout.
resolve_postgres_paths() {
  POSTGRES_DIR="$POSTGRES_LINK"
  if [[ -L "$POSTGRES_LINK" ]]; then POSTGRES_DIR="$(readlink -f "$POSTGRES_LINK")"; fi
  POSTGRES_DATA="$POSTGRES_DIR/data"
  POSTGRES_SOCKET_DIR="$POSTGRES_DIR/run"
  POSTGRES_LOG="$POSTGRES_DIR/postgres.log"
}

init_postgres() {
  [[ -f "$POSTGRES_DATA/PG_VERSION" ]] && return 0
  [[ -x "$PG_BIN/initdb" ]] || die "PostgreSQL $PG_VERSION is not installed in $PG_BIN"
  local socket_path="$POSTGRES_SOCKET_DIR/.s.PGSQL.$POSTGRES_PORT"
  ((${#socket_path} < 100)) ||
    die "the checkout's path is too long for a unix socket ($socket_path); move the checkout"
  mkdir -p "$POSTGRES_DATA"
  chown -R "$(postgres_owner):" "$POSTGRES_DIR/"
  chmod 700 "$POSTGRES_DATA"
  as_postgres test -w "$POSTGRES_DATA" ||
    die "user $(postgres_owner) cannot write $POSTGRES_DATA: every directory above it must be searchable (chmod o+x)"
  log "creating the PostgreSQL $PG_VERSION cluster in $POSTGRES_DATA"
  # trust on the socket: the socket dir is 0700, so only its owner (and root) reach it.
  as_postgres "$PG_BIN/initdb" -D "$POSTGRES_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$POSTGRES_DIR/initdb.log" 2>&1 ||
    die "initdb failed; read $POSTGRES_DIR/initdb.log"
  # Keep initdb's own settings (locale, text search) as the first layer of the config.
  mv "$POSTGRES_DATA/postgresql.conf" "$POSTGRES_DATA/initdb.conf"
}

# The cluster's postgresql.conf and pg_hba.conf, regenerated on every `up`: initdb's
# settings, then the committed base file, then what is specific to this private cluster.
write_postgres_config() {
  local preload=""
  if [[ -f "/usr/lib/postgresql/$PG_VERSION/lib/timescaledb.so" ]]; then
    preload="shared_preload_libraries = 'timescaledb'   # installed in this version's lib dir"
  fi
  # A copy, not an include of the checkout's file: the server may not be able to read there.
  cp "$POSTGRES_DEPS/postgresql.conf" "$POSTGRES_DATA/base.conf"
  cat >"$POSTGRES_DATA/postgresql.conf" <<EOF
# Generated by utils/stack.sh on every \`up\`: edit dependencies/timescaledb/postgresql.conf.
include 'initdb.conf'
include 'base.conf'

# ---- this checkout's private cluster (later lines win) ----
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
unix_socket_directories = '$POSTGRES_SOCKET_DIR'
unix_socket_permissions = 0700
$preload
EOF
  cat >"$POSTGRES_DATA/pg_hba.conf" <<'EOF'
# Generated by utils/stack.sh on every `up`.
# TYPE  DATABASE  USER      ADDRESS        METHOD
# The superuser, only on the private socket (its directory is 0700): init scripts, admin.
local   all       postgres                 trust
# Everyone else over TCP on loopback, with a password.
host    all       all       127.0.0.1/32   scram-sha-256
EOF
  chown "$(postgres_owner):" "$POSTGRES_DATA/postgresql.conf" "$POSTGRES_DATA/base.conf" \
    "$POSTGRES_DATA/pg_hba.conf"
  chmod 600 "$POSTGRES_DATA/pg_hba.conf"
}

start_postgres() {
  init_postgres
  mkdir -p "$POSTGRES_SOCKET_DIR"
  chown "$(postgres_owner):" "$POSTGRES_DIR" "$POSTGRES_SOCKET_DIR"
  chmod 700 "$POSTGRES_SOCKET_DIR"
  write_postgres_config
  if postgres_running; then
    # Picks up pg_hba.conf and reloadable settings changed since the last `up`.
    as_postgres "$PG_BIN/pg_ctl" -D "$POSTGRES_DATA" reload >/dev/null
    return 0
  fi
  log "starting PostgreSQL $PG_VERSION on port $POSTGRES_PORT (log: $POSTGRES_LOG)"
  touch "$POSTGRES_LOG"
  chown "$(postgres_owner):" "$POSTGRES_LOG"
  # -w waits until the server accepts connections; pg_ctl starts it in its own session.
  # 9>&-: the server must not inherit the lock.
  as_postgres "$PG_BIN/pg_ctl" -D "$POSTGRES_DATA" -l "$POSTGRES_LOG" -w -t "$READY_TIMEOUT" start >/dev/null 9>&- ||
    die "PostgreSQL did not start within ${READY_TIMEOUT}s. Read $POSTGRES_LOG."
}

wait_for_postgres() {
  local deadline=$((SECONDS + READY_TIMEOUT))
  until postgres_ready; do
    ((SECONDS < deadline)) || die "PostgreSQL is not ready after ${READY_TIMEOUT}s. Read $POSTGRES_LOG."
    sleep 0.2
  done
}

# The same init script compose mounts in /docker-entrypoint-initdb.d, run on every `up`
# (idempotent): database iot, its roles with the current passwords, PostGIS.
run_postgres_init() {
  (
    export IOT_DB_OWNER_PASSWORD IOT_DB_APP_PASSWORD IOT_DB_READONLY_PASSWORD IOT_DB_MONITORING_PASSWORD
    export IOT_DB_NAME="${IOT_DB_NAME:-iot}"
    export PGHOST="$POSTGRES_SOCKET_DIR" PGPORT="$POSTGRES_PORT" POSTGRES_USER=postgres POSTGRES_DB=postgres
    export PATH="$PG_BIN:$PATH"
    cd /
    # On stdin: the postgres user may not be able to read the checkout.
    as_postgres bash -s <"$POSTGRES_INIT_SCRIPT"
  ) >"$POSTGRES_DIR/init.log" 2>&1 ||
    die "$POSTGRES_INIT_SCRIPT failed; read $POSTGRES_DIR/init.log and $POSTGRES_LOG"
}

stop_postgres() {
  if postgres_running; then
    log "stopping PostgreSQL"
    as_postgres "$PG_BIN/pg_ctl" -D "$POSTGRES_DATA" -m fast -w -t 60 stop >/dev/null
  fi
}

# ---------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------

# One `up`/`down` at a time per checkout (a test run and a terminal may race).
take_lock() {
  mkdir -p "$STACK_DIR"
  exec 9>"$LOCK_FILE"
  flock -w "$READY_TIMEOUT" 9 || die "another utils/stack.sh is running (lock: $LOCK_FILE)"
}

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
    require_ports_free RabbitMQ "$AMQP_PORT" "$MANAGEMENT_PORT" "$MQTT_PORT" "$PROMETHEUS_PORT" "$DIST_PORT"
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

  log "up in $((SECONDS - started))s: RabbitMQ $RABBITMQ_NODE (AMQP $AMQP_PORT, MQTT $MQTT_PORT," \
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

main() {
  local command="${1:-}"
  (($# > 0)) && shift
  derive_names_and_ports
  resolve_postgres_paths
  case "$command" in
    up)
      (($# == 0)) || usage
      cmd_up
      ;;
    down) cmd_down "$@" ;;
    status)
      (($# == 0)) || usage
      cmd_status
      ;;
    rabbitmqctl) rabbitmqctl "$@" ;;
    createdb)
      (($# == 1)) || usage
      cmd_createdb "$1"
      ;;
    dropdb)
      (($# == 1)) || usage
      cmd_dropdb "$1"
      ;;
    *) usage ;;
  esac
}

main "$@"
