#!/usr/bin/env bash
# Runs the real PostgreSQL 15 and Redis that qrfeedback needs, on loopback
# only, with their data, logs, sockets and pid files under .local/ (git-ignored).
#
#   deploy/services.sh start    install if missing, start, wait until ready (idempotent)
#   deploy/services.sh stop     stop both cleanly
#   deploy/services.sh status   say what runs; exit 0 only if both do
#   deploy/services.sh env      print `export DATABASE_URL=… APP_DATABASE_URL=… REDIS_URL=… QRF_PG_CA=…` for eval
#
# Two database roles: qrfeedback owns the schema (migrations, seed, admin
# commands: DATABASE_URL); qrfeedback_app is what `serve` connects as
# (APP_DATABASE_URL) and may change rows but not the schema or the append-only
# logs. The migrations grant its rights; this script only lets it log in.
#
# A streaming replica of the server runs beside it (for DATABASE_REPLICA_URL
# and its tests).
#
# Ports: QRF_PG_PORT (default 54329), QRF_PG_REPLICA_PORT (default the next
# one), QRF_REDIS_PORT (default 63799).
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_PORT="${QRF_PG_PORT:-54329}"
REPLICA_PORT="${QRF_PG_REPLICA_PORT:-$((PG_PORT + 1))}"
REDIS_PORT="${QRF_REDIS_PORT:-63799}"
PG_BIN="${QRF_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_USER=qrfeedback
PG_PASSWORD=qrfeedback
PG_DB=qrfeedback
APP_PG_USER=qrfeedback_app
APP_PG_PASSWORD=qrfeedback_app
READY_TIMEOUT_S=60

LOCAL="$QRF_ROOT/.local"
REDIS_HOME="$LOCAL/redis"
# PG_HOME (data/, run/, postgres.log) is chosen by pg_locate.
PG_HOME=""

usage() {
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
}

# Decides where the Postgres files live (see qrf_pg_home).
pg_locate() {
    PG_HOME="$(qrf_pg_home postgres)"
}

pg_running() {
    qrf_pg_running "$PG_HOME/data"
}

redis_pid() {
    local pid
    pid="$(cat "$REDIS_HOME/redis.pid" 2>/dev/null)" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

pg_psql() {
    PGPASSWORD="$PG_PASSWORD" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$@"
}

pg_init() {
    qrf_pg_initdb "$PG_HOME" "$PG_USER" "$PG_PASSWORD" \
        --auth-local=scram-sha-256 --auth-host=scram-sha-256 --data-checksums
}

# The server's TLS files (see qrf_pg_tls), made once.
pg_tls() {
    qrf_pg_tls "$PG_HOME/tls"
}

# Rewritten on every start, so a change here (or of QRF_PG_PORT) applies on
# the next start without a new initdb.
pg_write_conf() {
    local sockets
    sockets="$(qrf_socket_dir_if_short "$PG_HOME/run" ".s.PGSQL.$PG_PORT.lock")"
    qrf_as_pg tee "$PG_HOME/data/qrfeedback.conf" >/dev/null <<EOF
# Written by deploy/services.sh on every start: edit that script, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sockets'
unix_socket_permissions = 0700

# TLS with the local authority's certificate (pg_tls); plain connections too.
ssl = on
ssl_cert_file = '$PG_HOME/tls/server.crt'
ssl_key_file = '$PG_HOME/tls/server.key'

# Sized for a small machine (2 cores); the test suite opens many pools.
max_connections = 200
shared_buffers = 256MB
effective_cache_size = 1GB
work_mem = 4MB
maintenance_work_mem = 64MB
wal_buffers = 16MB
min_wal_size = 256MB
max_wal_size = 2GB
checkpoint_completion_target = 0.9
random_page_cost = 1.1

# Durable: an acknowledged commit survives a crash. Never traded for speed.
fsync = on
synchronous_commit = on
full_page_writes = on

timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

pg_start() {
    pg_locate
    mkdir -p "$PG_HOME/run"
    ((EUID == 0)) && chown postgres:postgres "$PG_HOME" "$PG_HOME/run"
    chmod 0700 "$PG_HOME"
    if pg_running; then
        return 0
    fi
    pg_init
    pg_tls
    pg_write_conf
    qrf_pg_start "$PG_HOME" postgres
}

# A streaming replica of the server on REPLICA_PORT, for the read-replica
# tests and DATABASE_REPLICA_URL: a base backup taken once, then kept up by
# streaming. Its own qrfeedback.conf (rewritten on every start) gives it its
# port and socket folder; the rest of the settings came with the backup.
replica_start() {
    local home="$PG_HOME/replica"
    if qrf_pg_running "$home/data"; then
        return 0
    fi
    mkdir -p "$home/run"
    ((EUID == 0)) && chown postgres:postgres "$home" "$home/run"
    chmod 0700 "$home"
    if [[ ! -f "$home/data/PG_VERSION" ]]; then
        rm -rf "$home/data.init"
        if ! qrf_as_pg env PGPASSWORD="$PG_PASSWORD" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" \
            -U "$PG_USER" -D "$home/data.init" -X stream -c fast >"$home/basebackup.log" 2>&1; then
            cat "$home/basebackup.log" >&2
            qrf_die "the replica's base backup failed"
        fi
        qrf_as_pg touch "$home/data.init/standby.signal"
        mv "$home/data.init" "$home/data"
    fi
    local sockets
    sockets="$(qrf_socket_dir_if_short "$home/run" ".s.PGSQL.$REPLICA_PORT.lock")"
    qrf_as_pg tee "$home/data/qrfeedback.conf" >/dev/null <<CONF
# Written by deploy/services.sh on every start: edit that script, not this file.
listen_addresses = '127.0.0.1'
port = $REPLICA_PORT
unix_socket_directories = '$sockets'
unix_socket_permissions = 0700
ssl = on
ssl_cert_file = '$PG_HOME/tls/server.crt'
ssl_key_file = '$PG_HOME/tls/server.key'
max_connections = 200
shared_buffers = 128MB
hot_standby = on
hot_standby_feedback = on
primary_conninfo = 'host=127.0.0.1 port=$PG_PORT user=$PG_USER password=$PG_PASSWORD application_name=qrfeedback_replica'
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
CONF
    qrf_pg_start "$home" "the replica"
}

pg_wait_and_create_db() {
    local deadline=$((SECONDS + READY_TIMEOUT_S))
    until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1; do
        ((SECONDS < deadline)) || qrf_die "postgres not ready on 127.0.0.1:$PG_PORT"
        sleep 0.2
    done
    if [[ -z "$(pg_psql -d postgres -tAc "select 1 from pg_database where datname = '$PG_DB'")" ]]; then
        pg_psql -d postgres -c "create database $PG_DB"
    fi
}

# Creates the application role if missing and lets it log in, on every start
# (the migrations create it without LOGIN when they run first).
pg_ensure_app_role() {
    pg_psql -d postgres <<EOF
DO \$\$
BEGIN
    CREATE ROLE $APP_PG_USER;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END \$\$;
ALTER ROLE $APP_PG_USER LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$APP_PG_PASSWORD';
EOF
}

redis_start() {
    mkdir -p "$REDIS_HOME"
    chmod 0700 "$REDIS_HOME"
    redis_pid >/dev/null && return 0
    local socket
    socket="$(qrf_socket_dir_if_short "$REDIS_HOME" redis.sock)"
    cat >"$REDIS_HOME/redis.conf" <<EOF
# Written by deploy/services.sh on every start: edit that script, not this file.
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
${socket:+unixsocket "$socket/redis.sock"}
${socket:+unixsocketperm 700}
daemonize yes
pidfile "$REDIS_HOME/redis.pid"
logfile "$REDIS_HOME/redis.log"
dir "$REDIS_HOME"
# Redis only holds caches and counters rebuilt from Postgres.
save ""
appendonly no
EOF
    if ! qrf_detached redis-server "$REDIS_HOME/redis.conf" </dev/null >/dev/null 2>&1; then
        tail -n 20 "$REDIS_HOME/redis.log" >&2 || true
        qrf_die "redis did not start (log: $REDIS_HOME/redis.log)"
    fi
}

redis_wait() {
    local deadline=$((SECONDS + READY_TIMEOUT_S))
    until [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; do
        if ((SECONDS >= deadline)); then
            tail -n 20 "$REDIS_HOME/redis.log" >&2 || true
            qrf_die "redis not ready on 127.0.0.1:$REDIS_PORT"
        fi
        sleep 0.2
    done
}

cmd_start() {
    qrf_ensure_packages "$PG_BIN/initdb:postgresql-15" "$PG_BIN/psql:postgresql-client-15" \
        redis-server:redis-server redis-cli:redis-tools openssl:openssl
    pg_start
    redis_start
    pg_wait_and_create_db
    pg_ensure_app_role
    replica_start
    redis_wait
    qrf_say "postgres 127.0.0.1:$PG_PORT (replica :$REPLICA_PORT) and redis 127.0.0.1:$REDIS_PORT ready"
}

cmd_stop() {
    pg_locate
    qrf_pg_stop "$PG_HOME/replica/data"
    qrf_pg_stop "$PG_HOME/data"
    local pid
    if pid="$(redis_pid)"; then
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$pid"
        local deadline=$((SECONDS + READY_TIMEOUT_S))
        while kill -0 "$pid" 2>/dev/null; do
            ((SECONDS < deadline)) || qrf_die "redis (pid $pid) did not stop"
            sleep 0.1
        done
    fi
}

cmd_status() {
    pg_locate
    local rc=0 pid
    if pg_running; then
        echo "postgres: running on 127.0.0.1:$PG_PORT (data $PG_HOME/data)"
    else
        echo "postgres: stopped"
        rc=3
    fi
    if pid="$(redis_pid)"; then
        echo "redis: running on 127.0.0.1:$REDIS_PORT (pid $pid)"
    else
        echo "redis: stopped"
        rc=3
    fi
    return "$rc"
}

cmd_env() {
    echo "export DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
    echo "export APP_DATABASE_URL=postgres://$APP_PG_USER:$APP_PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
    echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/"
    # The authority that signed the server's certificate, for verify-full.
    echo "export QRF_PG_CA=$LOCAL/postgres/tls/ca.crt"
    # The streaming replica, for the read-replica tests (the app reads
    # DATABASE_REPLICA_URL; the tests set it themselves).
    echo "export QRF_REPLICA_URL=postgres://$APP_PG_USER:$APP_PG_PASSWORD@127.0.0.1:$REPLICA_PORT/$PG_DB"
}

(($# == 1)) || usage
case "$1" in
start) qrf_with_lock "$LOCAL/services.lock" cmd_start ;;
stop) qrf_with_lock "$LOCAL/services.lock" cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*) usage ;;
esac
