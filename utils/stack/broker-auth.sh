# shellcheck shell=bash
# broker-auth (cmd/broker-auth): RabbitMQ's second opinion on every login, which refuses a
# device whose MQTT client id is not its username, and device credentials over AMQP. One
# process beside the node(s), on loopback; every node's rabbitmq.conf points its HTTP auth
# backend at it. It must answer before the first login (provision_rabbitmq).
# Sourced by utils/stack.sh.

readonly BROKER_AUTH_DIR="$STACK_DIR/broker-auth"
readonly BROKER_AUTH_PID_FILE="$BROKER_AUTH_DIR/broker-auth.pid"
# Its port: a free one chosen at the first `up`, then kept (the nodes' config names it).
readonly BROKER_AUTH_PORT_FILE="$BROKER_AUTH_DIR/port"
readonly BROKER_AUTH_LOG="$BROKER_AUTH_DIR/broker-auth.log"

# The pid of our broker-auth when it runs (its environment names this stack: guards
# against a reused pid), else nothing and failure.
broker_auth_pid() {
  local pid
  [[ -f "$BROKER_AUTH_PID_FILE" ]] || return 1
  pid="$(tr -dc '0-9' <"$BROKER_AUTH_PID_FILE")"
  if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then return 1; fi
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "IOT_STACK_DIR=$STACK_DIR" || return 1
  printf '%s' "$pid"
}

# Sets BROKER_AUTH_PORT: the recorded one, else one the OS says is free now.
choose_broker_auth_port() {
  BROKER_AUTH_PORT=""
  [[ -f "$BROKER_AUTH_PORT_FILE" ]] && BROKER_AUTH_PORT="$(tr -dc '0-9' <"$BROKER_AUTH_PORT_FILE")"
  if [[ -z "$BROKER_AUTH_PORT" ]] || { ! broker_auth_pid >/dev/null && port_listening "$BROKER_AUTH_PORT"; }; then
    BROKER_AUTH_PORT="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
  fi
}

# Starts it unless it runs, on BROKER_AUTH_PORT (choose_broker_auth_port), and waits for it.
start_broker_auth() {
  mkdir -p "$BROKER_AUTH_DIR"
  if ! broker_auth_pid >/dev/null; then
    local tsx="$REPO_ROOT/node_modules/.bin/tsx"
    [[ -x "$tsx" ]] || die "broker-auth needs the project's packages: run npm ci first"
    printf '%s\n' "$BROKER_AUTH_PORT" >"$BROKER_AUTH_PORT_FILE"
    log "starting broker-auth on port $BROKER_AUTH_PORT (log: $BROKER_AUTH_LOG)"
    (
      cd "$REPO_ROOT" || exit
      exec 9>&-
      # shellcheck disable=SC2016 # $$, $1, $2 belong to the inner bash
      IOT_STACK_DIR="$STACK_DIR" IOT_BROKER_AUTH_PORT="$BROKER_AUTH_PORT" IOT_HTTP_PORT=0 \
        exec setsid bash -c 'echo "$$" >"$1"; exec nohup "$2" cmd/broker-auth/main.ts' broker-auth \
        "$BROKER_AUTH_PID_FILE" "$tsx" </dev/null >"$BROKER_AUTH_LOG" 2>&1
    ) &
  fi
  local deadline=$((SECONDS + READY_TIMEOUT))
  until (exec 3<>"/dev/tcp/127.0.0.1/$BROKER_AUTH_PORT") 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      tail -n 5 "$BROKER_AUTH_LOG" >&2 || true
      die "broker-auth did not answer on port $BROKER_AUTH_PORT within ${READY_TIMEOUT}s; read $BROKER_AUTH_LOG"
    fi
    sleep 0.2
  done
}

stop_broker_auth() {
  local pid
  pid="$(broker_auth_pid)" || { rm -f "$BROKER_AUTH_PID_FILE"; return 0; }
  log "stopping broker-auth"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$BROKER_AUTH_PID_FILE"
}
