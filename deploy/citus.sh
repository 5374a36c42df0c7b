#!/usr/bin/env bash
# A Citus cluster on loopback: a coordinator and two workers of the installed
# PostgreSQL 15, with Citus built from a source tarball, under .local/citus.
#
#   deploy/citus.sh build    build and install Citus from CITUS_SOURCE (once per version)
#   deploy/citus.sh start    build if needed, start the three nodes, add the workers (idempotent)
#   deploy/citus.sh createdb NAME
#                            (re)make database NAME on every node, Citus created
#                            in it and the workers added: ready to migrate and distribute
#   deploy/citus.sh stop     stop the three nodes
#   deploy/citus.sh env      print `export DATABASE_URL=… APP_DATABASE_URL=…` for the coordinator
#                            (and QRF_CITUS_WORKERS, the workers' URLs, for the tests)
#
# CITUS_SOURCE names the tarball (a `git archive` of a Citus release). The
# server headers must be those of the installed server's exact version, so
# the build installs postgresql-server-dev-15 at that version.
#
# The nodes trust connections from 127.0.0.1: the coordinator reaches its
# workers as the same role without a password. That suits a cluster that
# listens on loopback only; a real cluster authenticates between nodes.
#
# Ports: QRF_CITUS_PORT (default 25450) for the coordinator, the next two for
# the workers; below the kernel's ephemeral range, so a test server bound to
# port 0 cannot take one first.
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT="${QRF_CITUS_PORT:-25450}"
PG_BIN="${QRF_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_CONFIG=/usr/bin/pg_config
USER_NAME=qrfeedback
PASSWORD=qrfeedback
APP_USER=qrfeedback_app
APP_PASSWORD=qrfeedback_app
DB=qrfeedback
READY_TIMEOUT_S=60
NODES=(coordinator worker1 worker2)

usage() {
    echo "usage: $0 build|start|createdb NAME|stop|env" >&2
    exit 2
}

node_port() {
    case "$1" in
    coordinator) echo "$PORT" ;;
    worker1) echo $((PORT + 1)) ;;
    worker2) echo $((PORT + 2)) ;;
    esac
}

psql_on() {
    local port="$1"
    shift
    PGPASSWORD="$PASSWORD" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$port" -U "$USER_NAME" "$@"
}

cmd_build() {
    local source="${CITUS_SOURCE:-}"
    if [[ -z "$source" && -f "$($PG_CONFIG --pkglibdir 2>/dev/null)/citus.so" ]]; then
        return 0
    fi
    [[ -n "$source" && -f "$source" ]] || qrf_die "CITUS_SOURCE must name a Citus source tarball"
    local server_version
    server_version="$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null)" ||
        qrf_die "postgresql-15 is not installed (deploy/services.sh start installs it)"
    local stamp
    stamp="$(sha256sum "$source" | cut -c1-16)-$server_version"
    if [[ -f "$($PG_CONFIG --pkglibdir)/citus.so" &&
        "$(cat "$($PG_CONFIG --sharedir)/extension/.qrfeedback-citus" 2>/dev/null)" == "$stamp" ]]; then
        return 0
    fi
    if [[ "$(dpkg-query -W -f='${Version}' postgresql-server-dev-15 2>/dev/null || true)" != "$server_version" ]]; then
        ((EUID == 0)) || qrf_die "install postgresql-server-dev-15=$server_version (or run as root)"
        qrf_say "installing the server headers $server_version and Citus's build dependencies"
        export DEBIAN_FRONTEND=noninteractive
        if [[ "${QRF_APT_UPDATED:-}" != 1 ]]; then
            apt-get update -qq </dev/null >/dev/null
            export QRF_APT_UPDATED=1
        fi
        apt-get install -y -qq "postgresql-server-dev-15=$server_version" build-essential autoconf \
            flex libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libssl-dev \
            libselinux1-dev libxslt1-dev libpam0g-dev libreadline-dev </dev/null >/dev/null
    fi
    local build="$QRF_ROOT/.local/citus-build"
    rm -rf "$build"
    mkdir -p "$build"
    tar -xzf "$source" -C "$build" --strip-components=1
    qrf_say "building Citus (a few minutes on 2 cores)"
    (
        cd "$build"
        ./configure PG_CONFIG="$PG_CONFIG" >configure.log 2>&1 ||
            { tail -n 30 configure.log >&2; exit 1; }
        make -j"$(nproc)" >make.log 2>&1 || { tail -n 30 make.log >&2; exit 1; }
        make install >install.log 2>&1 || { tail -n 30 install.log >&2; exit 1; }
    ) || qrf_die "the Citus build failed (logs in $build)"
    printf '%s\n' "$stamp" >"$($PG_CONFIG --sharedir)/extension/.qrfeedback-citus"
}

node_start() {
    local home="$1" port="$2"
    mkdir -p "$home/run"
    ((EUID == 0)) && chown postgres:postgres "$home" "$home/run"
    chmod 0700 "$home"
    if qrf_pg_running "$home/data"; then
        return 0
    fi
    qrf_pg_initdb "$home" "$USER_NAME" "$PASSWORD" --auth-local=trust --auth-host=trust
    local tls
    tls="$(dirname "$home")/tls"
    local sockets
    sockets="$(qrf_socket_dir_if_short "$home/run" ".s.PGSQL.$port.lock")"
    qrf_as_pg tee "$home/data/qrfeedback.conf" >/dev/null <<CONF
# Written by deploy/citus.sh on every start: edit that script, not this file.
shared_preload_libraries = 'citus'
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockets'
unix_socket_permissions = 0700
# Citus makes an X.509 v1 self-signed certificate, which rustls (the
# service's TLS) refuses even where it need not verify: use a v3 one.
ssl_cert_file = '$tls/server.crt'
ssl_key_file = '$tls/server.key'
max_connections = 300
# Citus runs a maintenance process for every database it is created in;
# the test suite makes a database per test.
max_worker_processes = 256
shared_buffers = 128MB
work_mem = 4MB
fsync = on
synchronous_commit = on
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
CONF
    qrf_pg_start "$home" "the node on port $port"
}

node_prepare() {
    local port="$1" db="${2:-$DB}"
    if [[ -z "$(psql_on "$port" -d postgres -tAc "select 1 from pg_database where datname = '$db'")" ]]; then
        psql_on "$port" -d postgres -c "create database $db"
    fi
    psql_on "$port" -d "$db" <<SQL
CREATE EXTENSION IF NOT EXISTS citus;
DO \$\$
BEGIN
    CREATE ROLE $APP_USER;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END \$\$;
ALTER ROLE $APP_USER LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$APP_PASSWORD';
SQL
}

cmd_start() {
    cmd_build
    local base node
    base="$(qrf_pg_home citus)"
    mkdir -p "$base"
    ((EUID == 0)) && chown postgres:postgres "$base"
    qrf_pg_tls "$base/tls"
    for node in "${NODES[@]}"; do
        node_start "$base/$node" "$(node_port "$node")"
    done
    prepare_database "$DB"
    local coordinator
    coordinator="$(node_port coordinator)"
    qrf_say "citus coordinator 127.0.0.1:$coordinator with workers :$((coordinator + 1)) and :$((coordinator + 2)) ready"
}

# Citus and its nodes are per database: each node gets the database and the
# extension, and the coordinator is told of itself and of both workers.
prepare_database() {
    local db="$1" node coordinator
    for node in "${NODES[@]}"; do
        node_prepare "$(node_port "$node")" "$db"
    done
    coordinator="$(node_port coordinator)"
    psql_on "$coordinator" -d "$db" -c \
        "SELECT citus_set_coordinator_host('127.0.0.1', $coordinator)" >/dev/null
    for node in worker1 worker2; do
        psql_on "$coordinator" -d "$db" -c \
            "SELECT citus_add_node('127.0.0.1', $(node_port "$node"))" >/dev/null
    done
}

cmd_createdb() {
    local db="$1" node
    [[ "$db" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || qrf_die "a database name is lower-case letters, digits and _"
    for node in "${NODES[@]}"; do
        psql_on "$(node_port "$node")" -d postgres -c "drop database if exists $db with (force)"
    done
    prepare_database "$db"
}

cmd_stop() {
    local base node
    base="$(qrf_pg_home citus)"
    for node in "${NODES[@]}"; do
        qrf_pg_stop "$base/$node/data"
    done
}

cmd_env() {
    echo "export DATABASE_URL=postgres://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB"
    echo "export APP_DATABASE_URL=postgres://$APP_USER:$APP_PASSWORD@127.0.0.1:$PORT/$DB"
    echo "export QRF_PG_CA=$(qrf_pg_home citus)/tls/ca.crt"
    # The workers, for the tests: each test database is made on every node.
    echo "export QRF_CITUS_WORKERS=postgres://$USER_NAME:$PASSWORD@127.0.0.1:$((PORT + 1))/postgres,postgres://$USER_NAME:$PASSWORD@127.0.0.1:$((PORT + 2))/postgres"
}

[[ $# -ge 1 ]] || usage
case "$1" in
build) cmd_build ;;
start) cmd_start ;;
createdb)
    [[ $# -eq 2 ]] || usage
    cmd_createdb "$2"
    ;;
stop) cmd_stop ;;
env) cmd_env ;;
*) usage ;;
esac
