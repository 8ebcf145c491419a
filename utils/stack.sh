#!/usr/bin/env bash
# The local stack: a private RabbitMQ node and a private PostgreSQL/PostGIS cluster for this
# checkout, started from the binaries installed on the machine, with the committed
# configuration in dependencies/, everything else under .stack/ (git-ignored).
#
#   utils/stack.sh up [--nodes 3]  start both (idempotent; fast when already up), write .stack/env;
#                                  --nodes 3: a RabbitMQ cluster of three nodes (see below)
#   utils/stack.sh down [--purge]  stop both, keeping the data (--purge: delete .stack/ too)
#   utils/stack.sh status          show each component; exit 0 when all are up, 3 otherwise
#   utils/stack.sh rabbitmqctl ... run rabbitmqctl against our node (right HOME, node, epmd;
#                                  -n <node> for another node of a cluster)
#   utils/stack.sh createdb NAME   a fresh database like iot (same roles, PostGIS), NAME iot_*:
#                                  for runs that want tables of their own (npm run bench)
#   utils/stack.sh dropdb NAME     drop it, closing its connections
#   utils/stack.sh pg_ctl MODE ... pg_ctl on our PostgreSQL as its owner (fault tests:
#                                  `pg_ctl stop -m immediate`, `pg_ctl start`)
#   utils/stack.sh psql ...        psql on database iot as the superuser (fault tests)
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
# broker-auth (cmd/broker-auth, which every node asks about logins) takes a port the OS says
# is free at the first `up`, kept in .stack/broker-auth/port.
# An IOT_STACK_BASE_PORT override sticks (.stack/base-port) until the next override or purge.
#
# Cluster (--nodes 3; fixed when the stack is created, recorded in .stack/nodes): nodes
# iot-<hash>@localhost, iot-<hash>-2@..., iot-<hash>-3@..., one Erlang cookie, our one epmd.
# Node 1 has the ports above; node k (2, 3) takes base-10000+5(k-2)+ 0 AMQP, 1 management,
# 2 MQTT, 3 MQTTS, 4 distribution (10000-19999 holds no checkout's base ports). Node 1 loads
# the definitions, the others join it, every quorum queue gets a member on each node, MQTT
# sessions are quorum queues. .stack/env lists every node (node 1 first, comma-separated) in
# IOT_AMQP_URL, IOT_MQTT_URL, IOT_RABBITMQ_NODES and IOT_RABBITMQ_MANAGEMENT_URLS.
# IOT_STACK_DIR=<absolute dir>: another stack of this checkout there, with its own hash
# (names, ports), e.g. the cluster e2e's.
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

# The parts, one file each in utils/stack/; they define functions and constants only.
readonly STACK_PARTS="$REPO_ROOT/utils/stack"
# shellcheck source=SCRIPTDIR/stack/common.sh
source "$STACK_PARTS/common.sh"
# shellcheck source=SCRIPTDIR/stack/env.sh
source "$STACK_PARTS/env.sh"
# shellcheck source=SCRIPTDIR/stack/tls.sh
source "$STACK_PARTS/tls.sh"
# shellcheck source=SCRIPTDIR/stack/broker-auth.sh
source "$STACK_PARTS/broker-auth.sh"
# shellcheck source=SCRIPTDIR/stack/broker.sh
source "$STACK_PARTS/broker.sh"
# shellcheck source=SCRIPTDIR/stack/cluster.sh
source "$STACK_PARTS/cluster.sh"
# shellcheck source=SCRIPTDIR/stack/database.sh
source "$STACK_PARTS/database.sh"
# shellcheck source=SCRIPTDIR/stack/commands.sh
source "$STACK_PARTS/commands.sh"

# The header of this file, up to `set -euo pipefail`, is the help text.
usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

main() {
  local command="${1:-}"
  (($# > 0)) && shift
  derive_names_and_ports
  choose_node_count
  select_rabbitmq_node 1
  resolve_postgres_paths
  case "$command" in
    up)
      if (($# == 2)) && [[ "$1" == --nodes && "$2" =~ ^[1-9]$ ]] && (($2 <= MAX_NODES)); then
        cmd_up "$2"
      else
        (($# == 0)) || usage
        cmd_up
      fi
      ;;
    down) cmd_down "$@" ;;
    status)
      (($# == 0)) || usage
      cmd_status
      ;;
    rabbitmqctl) rabbitmqctl "$@" ;;
    pg_ctl) cmd_pg_ctl "$@" ;;
    psql) cmd_psql "$@" ;;
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
