#!/usr/bin/env bash
# A Redis Cluster on loopback, for the cluster tests and for running the
# service against one: three primaries, each with one replica, with their
# configuration, logs and pid files under .local/redis-cluster/ (git-ignored).
#
#   deploy/redis-cluster.sh start    start the six nodes, make them a cluster the
#                                    first time, wait until it serves every slot
#                                    (idempotent; also brings back a stopped node)
#   deploy/redis-cluster.sh stop     stop every node
#   deploy/redis-cluster.sh status   say which nodes run; exit 0 only if all do
#   deploy/redis-cluster.sh env      print `export REDIS_CLUSTER_URL=…` for eval
#
# Why replicas: when a primary dies, its replica takes over its slots about
# two seconds later (cluster-node-timeout) and the cluster serves every key
# again without anyone restarting anything; without replicas those slots
# stay down until the primary returns. The service itself never needs Redis
# to take a rating, so either way no rating is refused or lost.
#
# Ports: QRF_REDIS_CLUSTER_PORT (default 27001) and the five after it; each
# node's cluster bus listens 100 above its port. All are below the kernel's
# ephemeral range, so nothing else takes them while a node is down.
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FIRST_PORT="${QRF_REDIS_CLUSTER_PORT:-27001}"
NODES=6
BUS_OFFSET=100
READY_TIMEOUT_S=60

HOME_DIR="$QRF_ROOT/.local/redis-cluster"

usage() {
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
}

ports() {
    seq "$FIRST_PORT" $((FIRST_PORT + NODES - 1))
}

cli() {
    local port="$1"
    shift
    redis-cli -h 127.0.0.1 -p "$port" "$@"
}

node_pid() {
    local pid
    pid="$(cat "$HOME_DIR/$1/redis.pid" 2>/dev/null)" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

# Starts the node on PORT unless it runs. Its nodes.conf (the node's view of
# the cluster, written by Redis) survives a stop, so a node that comes back
# rejoins as it was: a primary whose replica took over becomes its replica.
node_start() {
    local port="$1" home="$HOME_DIR/$1"
    mkdir -p "$home"
    node_pid "$port" >/dev/null && return 0
    cat >"$home/redis.conf" <<EOF
# Written by deploy/redis-cluster.sh on every start: edit that script, not this file.
bind 127.0.0.1
port $port
protected-mode yes
daemonize yes
pidfile "$home/redis.pid"
logfile "$home/redis.log"
dir "$home"
cluster-enabled yes
cluster-config-file nodes.conf
cluster-port $((port + BUS_OFFSET))
# A primary unreachable this long (ms) is failed over to its replica.
cluster-node-timeout 1000
# A replica takes over however long it was cut off from its primary: the
# data are counters and guards Postgres can rebuild, never the only copy.
cluster-replica-validity-factor 0
save ""
appendonly no
EOF
    if ! qrf_detached redis-server "$home/redis.conf" </dev/null >/dev/null 2>&1; then
        tail -n 20 "$home/redis.log" >&2 || true
        qrf_die "redis node $port did not start (log: $home/redis.log)"
    fi
}

node_wait() {
    local port="$1" deadline=$((SECONDS + READY_TIMEOUT_S))
    until [[ "$(cli "$port" ping 2>/dev/null)" == PONG ]]; do
        if ((SECONDS >= deadline)); then
            tail -n 20 "$HOME_DIR/$port/redis.log" >&2 || true
            qrf_die "redis node $port not ready"
        fi
        sleep 0.1
    done
}

# Whether the nodes were made a cluster before: the first one has slots.
cluster_created() {
    cli "$FIRST_PORT" cluster info | grep -q '^cluster_slots_assigned:16384'
}

cluster_create() {
    local nodes=() port
    for port in $(ports); do
        nodes+=("127.0.0.1:$port")
    done
    qrf_say "creating the cluster of ${nodes[*]}"
    # redis-cli makes the first three primaries and the rest their replicas.
    if ! cli "$FIRST_PORT" --cluster create "${nodes[@]}" --cluster-replicas 1 \
        --cluster-yes >"$HOME_DIR/create.log" 2>&1; then
        cat "$HOME_DIR/create.log" >&2
        qrf_die "the cluster could not be created"
    fi
}

# Whether every node serves every slot and sees three primaries and three
# replicas, none of them failed or still joining.
cluster_healthy() {
    local port nodes
    for port in $(ports); do
        cli "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
    done
    nodes="$(cli "$FIRST_PORT" cluster nodes 2>/dev/null)" || return 1
    ! grep -qE 'fail|handshake|noaddr|disconnected' <<<"$nodes" &&
        (($(grep -c 'master' <<<"$nodes") == NODES / 2)) &&
        (($(grep -c 'slave' <<<"$nodes") == NODES / 2))
}

cmd_start() {
    qrf_ensure_packages redis-server:redis-server redis-cli:redis-tools
    mkdir -p "$HOME_DIR"
    chmod 0700 "$HOME_DIR"
    local port
    for port in $(ports); do
        node_start "$port"
    done
    for port in $(ports); do
        node_wait "$port"
    done
    cluster_created || cluster_create
    local deadline=$((SECONDS + READY_TIMEOUT_S))
    until cluster_healthy; do
        if ((SECONDS >= deadline)); then
            cli "$FIRST_PORT" cluster nodes >&2 || true
            qrf_die "the cluster did not become healthy"
        fi
        sleep 0.2
    done
    qrf_say "redis cluster ready on 127.0.0.1:$FIRST_PORT-$((FIRST_PORT + NODES - 1))"
}

cmd_stop() {
    local port pid
    for port in $(ports); do
        pid="$(node_pid "$port")" || continue
        cli "$port" shutdown nosave >/dev/null 2>&1 || kill "$pid"
        local deadline=$((SECONDS + READY_TIMEOUT_S))
        while kill -0 "$pid" 2>/dev/null; do
            ((SECONDS < deadline)) || qrf_die "redis node $port (pid $pid) did not stop"
            sleep 0.1
        done
    done
}

cmd_status() {
    local rc=0 port pid
    for port in $(ports); do
        if pid="$(node_pid "$port")"; then
            echo "redis node $port: running (pid $pid)"
        else
            echo "redis node $port: stopped"
            rc=3
        fi
    done
    return "$rc"
}

# The service's form of a cluster URL (see REDIS_URL): every node as a seed,
# so it can start while any one of them is down.
cmd_env() {
    local seeds
    seeds="$(ports | sed 's/^/127.0.0.1:/' | paste -sd,)"
    echo "export REDIS_CLUSTER_URL=redis+cluster://$seeds"
}

(($# == 1)) || usage
case "$1" in
start) qrf_with_lock "$HOME_DIR/cluster.lock" cmd_start ;;
stop) qrf_with_lock "$HOME_DIR/cluster.lock" cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*) usage ;;
esac
