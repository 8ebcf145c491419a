# shellcheck shell=bash
# A cluster of the checkout's own (up --nodes 3): the nodes' shared settings, their start in
# an order that lets fresh nodes join node 1, and quorum queues replicated onto every node.
# Sourced by utils/stack.sh, after broker.sh.

# Settings every node of a cluster appends to its rabbitmq.conf.
write_cluster_config() {
  local index
  printf '\n## ---- Cluster (utils/stack.sh up --nodes %s) ----\n' "$NODE_COUNT"
  # A fresh node joins the first reachable node of the list; node 1 always boots first.
  printf 'cluster_formation.peer_discovery_backend = classic_config\n'
  for ((index = 1; index <= NODE_COUNT; index++)); do
    printf 'cluster_formation.classic_config.nodes.%s = %s\n' "$index" "$(node_name_of "$index")"
  done
  # MQTT sessions (a device's subscription queue) replicated like the other queues, so a
  # device's session survives the loss of any one node (RabbitMQ 3.10 has the setting).
  printf 'mqtt.durable_queue_type = quorum\n'
}

node_name_of() { (
  select_rabbitmq_node "$1"
  printf '%s' "$NODE_NAME"
); }

# A node that has never booted joins the cluster at its first boot (peer discovery).
rabbitmq_node_fresh() { [[ ! -d "$NODE_MNESIA_DIR" ]]; }

# Starts node 1 and each node that has booted before (a restarted cluster finds its peers);
# the fresh nodes, which have to join a running node 1, wait for finish_rabbitmq_nodes.
# Sets FRESH_NODES.
launch_rabbitmq_nodes() {
  local index
  FRESH_NODES=()
  for ((index = 1; index <= NODE_COUNT; index++)); do
    select_rabbitmq_node "$index"
    if ((index > 1)) && rabbitmq_node_fresh && ! rabbitmq_launcher_pid >/dev/null; then
      FRESH_NODES+=("$index")
    else
      start_rabbitmq
    fi
  done
}

# Waits for the launched nodes; node 1 ready, its users and definitions in place, starts the
# fresh nodes, waits for them and grows the quorum queues onto them. Leaves node 1 selected.
finish_rabbitmq_nodes() {
  local index
  for ((index = 1; index <= NODE_COUNT; index++)); do
    select_rabbitmq_node "$index"
    [[ " ${FRESH_NODES[*]} " == *" $index "* ]] || wait_for_rabbitmq
  done
  select_rabbitmq_node 1
  provision_rabbitmq
  import_rabbitmq_definitions
  ((${#FRESH_NODES[@]} > 0)) || return 0
  for index in "${FRESH_NODES[@]}"; do
    select_rabbitmq_node "$index"
    start_rabbitmq
  done
  for index in "${FRESH_NODES[@]}"; do
    select_rabbitmq_node "$index"
    wait_for_rabbitmq
  done
  grow_quorum_queues "${FRESH_NODES[@]}"
  select_rabbitmq_node 1
}

# Quorum queues declared before a node joined (the definitions, loaded by node 1 alone)
# have no member there: add one on each new node, for every quorum queue of every vhost.
grow_quorum_queues() {
  local index node
  select_rabbitmq_node 1
  for index in "$@"; do
    node="$(node_name_of "$index")"
    log "adding $node to every quorum queue"
    RABBITMQ_CLI=rabbitmq-queues rabbitmqctl -q grow "$node" all >/dev/null ||
      die "could not add $node to the quorum queues (rabbitmq-queues grow)"
  done
}
