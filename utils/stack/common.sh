# shellcheck shell=bash
# What every part of utils/stack.sh uses: where the stack lives, logging, the names and ports
# derived from the checkout's path, port checks, the Debian packages and the lock.
# Sourced by utils/stack.sh, after REPO_ROOT is set; defines functions and constants only.

readonly STACK_DIR="$REPO_ROOT/.stack"
readonly BASE_PORT_FILE="$STACK_DIR/base-port"
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
# find a stack started with an override), else from the checkout's path.
# shellcheck disable=SC2034 # the names and ports are for the other parts
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
  # MQTT over TLS, what devices use; the plain MQTT port stays on loopback only.
  MQTTS_PORT=$((BASE_PORT + 9))
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
