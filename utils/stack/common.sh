# shellcheck shell=bash
# What every part of utils/stack.sh uses: where the stack lives, logging, the names and ports
# derived from the checkout's path, port checks, the Debian packages and the lock.
# Sourced by utils/stack.sh, after REPO_ROOT is set; defines functions and constants only.

# IOT_STACK_DIR: a second stack of the same checkout elsewhere (an absolute path; the
# cluster e2e runs its own under .stack/), with names and ports of its own.
readonly DEFAULT_STACK_DIR="$REPO_ROOT/.stack"
readonly STACK_DIR="${IOT_STACK_DIR:-$DEFAULT_STACK_DIR}"
[[ "$STACK_DIR" == /* ]] || {
  printf 'stack: error: IOT_STACK_DIR must be an absolute path, not %s\n' "$STACK_DIR" >&2
  exit 1
}
readonly BASE_PORT_FILE="$STACK_DIR/base-port"
readonly NODE_COUNT_FILE="$STACK_DIR/nodes"
# A cluster has at most three nodes: the extra nodes' ports (below) have room for two.
readonly MAX_NODES=3
readonly LOCK_FILE="$STACK_DIR/.lock"

# Seconds each server gets to become ready.
readonly READY_TIMEOUT="${IOT_STACK_TIMEOUT:-120}"

log() { printf 'stack: %s\n' "$*" >&2; }
die() {
  printf 'stack: error: %s\n' "$*" >&2
  exit 1
}
is_root() { [[ "$(id -u)" -eq 0 ]]; }

# ---------------------------------------------------------------------------------------
# Names and ports
# ---------------------------------------------------------------------------------------

# Sets PATH_HASH, BASE_PORT, every *_PORT and RABBITMQ_NODE. The base port comes from
# IOT_STACK_BASE_PORT, else from the one recorded by the last `up` (so `status` and `down`
# find a stack started with an override), else from the checkout's path (the stack
# directory's, for an IOT_STACK_DIR of its own).
# shellcheck disable=SC2034 # the names and ports are for the other parts
derive_names_and_ports() {
  local hashed="$REPO_ROOT"
  [[ "$STACK_DIR" == "$DEFAULT_STACK_DIR" ]] || hashed="$STACK_DIR"
  PATH_HASH="$(printf '%s' "$hashed" | sha256sum | cut -c1-8)"
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
  # MQTT over TLS, what devices use; the plain MQTT port stays on loopback only.
  MQTTS_PORT=$((BASE_PORT + 9))
  # The extra nodes of a cluster (up --nodes 3) take the ten ports 10000 below the base:
  # node k at EXTRA_BASE + 5(k-2) + 0 AMQP, 1 management, 2 MQTT, 3 MQTTS, 4 distribution.
  # Derived bases are 20000-29990, so these are 10000-19999, where no checkout's base
  # ports are: a cluster never takes another checkout's ports. (No Prometheus listener on
  # the extra nodes: five ports each is what fits; node 1's metrics cover the cluster.)
  EXTRA_BASE_PORT=$((BASE_PORT - 10000))
}

# shellcheck disable=SC2034 # NODE_COUNT is for the other parts
# Sets NODE_COUNT: --nodes N (given as $1), else the count recorded by the stack's first
# `up` (a cluster stays a cluster for `status` and `down`), else 1.
choose_node_count() {
  local requested=${1:-} recorded=""
  [[ -f "$NODE_COUNT_FILE" ]] && recorded="$(<"$NODE_COUNT_FILE")"
  if [[ -n "$requested" ]]; then
    if ! [[ "$requested" =~ ^[1-9]$ ]] || ((requested > MAX_NODES)); then
      die "--nodes takes 1 to $MAX_NODES, not '$requested'"
    fi
    NODE_COUNT=$requested
  elif [[ "$recorded" =~ ^[1-9]$ ]]; then
    NODE_COUNT=$recorded
  else
    NODE_COUNT=1
  fi
  if ((NODE_COUNT > 1 && EXTRA_BASE_PORT < 1024)); then
    die "a cluster needs a base port of 11024 or more (its extra nodes use base-10000...base-9991)"
  fi
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
        "IOT_STACK_BASE_PORT=<n> utils/stack.sh up  (ports n..n+9 must be free; n-10000..n-9991 too for a cluster)"
    fi
  done
}

# ---------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------

dpkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# Installs what is missing with apt when root; otherwise prints the command and fails.
ensure_packages() {
  choose_postgres_version
  local missing=() package
  # prometheus: the server and promtool, for the dashboards' proofs (test/e2e/dashboards.test.ts).
  local wanted=(rabbitmq-server "postgresql-$PG_VERSION" "postgresql-$PG_VERSION-postgis-3" openssl curl prometheus)
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
# Lock
# ---------------------------------------------------------------------------------------

# One `up`/`down` at a time per checkout (a test run and a terminal may race).
take_lock() {
  mkdir -p "$STACK_DIR"
  exec 9>"$LOCK_FILE"
  flock -w "$READY_TIMEOUT" 9 || die "another utils/stack.sh is running (lock: $LOCK_FILE)"
}
