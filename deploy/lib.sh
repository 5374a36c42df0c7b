# Shared helpers for the scripts in deploy/. Source it; do not run it.
# shellcheck shell=bash

# The project root: the folder that holds deploy/.
QRF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export QRF_ROOT

# Prints a message prefixed with the calling script's name, on stderr.
qrf_say() {
    printf '%s: %s\n' "$(basename "$0")" "$*" >&2
}

qrf_die() {
    qrf_say "error: $*"
    exit 1
}

# qrf_ensure_packages COMMAND:PACKAGE ...
# Installs, with apt-get, each PACKAGE whose COMMAND (a name on PATH, or an
# absolute path to any file the package installs) is missing. `apt-get update` runs at most once, and only when
# something is missing; QRF_APT_UPDATED tells child scripts it already ran.
qrf_ensure_packages() {
    local pair cmd pkg missing=()
    for pair in "$@"; do
        cmd="${pair%%:*}"
        pkg="${pair#*:}"
        if [[ "$cmd" == /* ]]; then
            [[ -e "$cmd" ]] && continue
        else
            command -v "$cmd" >/dev/null 2>&1 && continue
        fi
        [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0

    if ((EUID != 0)); then
        qrf_die "missing packages: ${missing[*]} (install them, or run as root)"
    fi
    qrf_say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if [[ "${QRF_APT_UPDATED:-}" != 1 ]]; then
        apt-get update -qq </dev/null >/dev/null
        export QRF_APT_UPDATED=1
    fi
    apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
}

# --- helpers of the load and benchmark scripts ---------------------------

PG_BIN="${QRF_PG_BIN:-/usr/lib/postgresql/15/bin}"

# Servers started by a script; a script that starts any sets
# `trap stop_servers EXIT`.
server_pids=()
stop_servers() {
    local pid
    for pid in "${server_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    server_pids=()
}

step() {
    printf '\n== %s\n' "$*"
}

# Value of KEY in the last "QRF key=value ..." line of FILE (see deploy/load/*.lua).
qrf_field() {
    awk -v key="$1" '/^QRF /{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) value = kv[2] } }
        END { print value }' "$2"
}

# N random bytes as hex: throwaway ADMIN_TOKEN / SECRET_KEY values for a
# measuring run, strong enough for the checks `serve` makes of them.
qrf_random_hex() {
    od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

require_port_free() {
    if (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; then
        qrf_die "$1 is already in use; stop whatever listens there"
    fi
}

# wait_http_ok URL PID LOG: until URL answers 200, while PID (logging to LOG) lives.
wait_http_ok() {
    local deadline=$((SECONDS + 60))
    until [[ "$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$1")" == 200 ]]; do
        if ! kill -0 "$2" 2>/dev/null; then
            tail -n 20 "$3" >&2
            qrf_die "server for $1 exited (log: $3)"
        fi
        ((SECONDS < deadline)) || qrf_die "$1 did not answer 200 within 60 s (log: $3)"
        sleep 0.2
    done
}

psql_at() {
    PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

# cpu_ticks PID...: CPU time (user + system, in clock ticks) the processes
# have used so far; processes that are gone count nothing.
cpu_ticks() {
    local pid total=0 fields
    for pid in "$@"; do
        [[ -r "/proc/$pid/stat" ]] || continue
        # Fields after the command name: utime and stime are the 12th and 13th.
        read -r -a fields < <(sed 's/^.*) //' "/proc/$pid/stat")
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}

# Every Postgres server process (postmaster and backends).
postgres_pids() {
    pgrep -f '^postgres' || true
}

run_wrk() {
    # run_wrk OUTPUT_FILE WRK_ARGS...: shows wrk's report and keeps a copy.
    local output="$1"
    shift
    wrk "$@" | tee "$output"
}

# Postgres refuses to run as root, so as root it runs as the `postgres`
# system user (created by the Debian package); otherwise as the caller.
# It starts in / because the caller's folder may be closed to that user.
qrf_as_pg() {
    if ((EUID == 0)); then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Unix socket paths are limited to 107 bytes; with a deep project path we
# serve TCP only (every script here connects over TCP anyway).
qrf_socket_dir_if_short() {
    local dir="$1" name="$2"
    if ((${#dir} + ${#name} + 1 <= 100)); then
        printf '%s' "$dir"
    fi
}

# Prints where the Postgres files named NAME live: .local/NAME when the
# postgres user can reach it; otherwise (a project folder closed to other
# users) a folder under /tmp derived from the project path, linked from
# .local/NAME.
qrf_pg_home() {
    local name="$1" local_dir="$QRF_ROOT/.local"
    mkdir -p "$local_dir"
    chmod 0755 "$local_dir"
    if ((EUID != 0)) || runuser -u postgres -- test -x "$local_dir"; then
        # A link left by an earlier fallback would point elsewhere: drop it.
        [[ -L "$local_dir/$name" ]] && rm "$local_dir/$name"
        printf '%s' "$local_dir/$name"
        return 0
    fi
    local hash base
    hash="$(printf '%s' "$QRF_ROOT" | sha256sum | cut -c1-12)"
    base="/tmp/qrfeedback-$hash"
    mkdir -p "$base"
    [[ "$(stat -c %u "$base")" == 0 ]] || qrf_die "$base is not owned by root; remove it"
    chmod 0755 "$base"
    ln -sfn "$base/$name" "$local_dir/$name"
    printf '%s' "$base/$name"
}

# Runs "$@" holding an exclusive lock on the file $1 (its folder is made),
# so two scripts starting or stopping the same servers at once do not race.
# Daemons started with qrf_detached never hold it.
qrf_with_lock() {
    local lock="$1"
    shift
    mkdir -p "$(dirname "$lock")"
    exec 9>"$lock"
    flock 9
    "$@"
}

# Runs a command that leaves a daemon behind with only stdin/stdout/stderr
# open, so the daemon holds no pipe or lock of whoever started it.
qrf_detached() {
    (
        local fd
        for fd in /proc/self/fd/*; do
            fd="${fd##*/}"
            if ((fd > 2)); then eval "exec $fd>&-"; fi
        done
        "$@"
    )
}

# qrf_pg_tls DIR: a local certificate authority (DIR/ca.crt) and an X.509 v3
# certificate for localhost and 127.0.0.1 that it signed (DIR/server.crt and
# server.key, readable by the postgres user), made once, so a server takes
# TLS and `sslmode=require` and `verify-full` can be tested; and a second
# authority that signed nothing (DIR/other-ca.crt), to see a wrong one refused.
qrf_pg_tls() {
    local tls="$1"
    if [[ ! -s "$tls/server.crt" ]]; then
        mkdir -p "$tls"
        local subj
        for subj in ca other-ca; do
            openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 \
                -subj "/CN=qrfeedback local $subj" \
                -keyout "$tls/$subj.key" -out "$tls/$subj.crt" 2>/dev/null
        done
        openssl req -new -nodes -newkey rsa:2048 -sha256 -subj "/CN=localhost" \
            -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
        printf 'subjectAltName = DNS:localhost, IP:127.0.0.1\n' >"$tls/server.ext"
        openssl x509 -req -sha256 -days 3650 -in "$tls/server.csr" \
            -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
            -extfile "$tls/server.ext" -out "$tls/server.crt" 2>/dev/null
        rm -f "$tls/ca.key" "$tls/other-ca.key" "$tls/server.csr"
    fi
    chmod 0755 "$tls"
    chmod 0600 "$tls/server.key"
    ((EUID == 0)) && chown postgres:postgres "$tls/server.key" "$tls/server.crt"
    return 0
}

# The Postgres data folders below take PG_BIN (the server's bin folder) and
# READY_TIMEOUT_S (seconds to wait) from the calling script.

# qrf_pg_running DATA: whether a server runs on the data folder DATA.
qrf_pg_running() {
    [[ -f "$1/PG_VERSION" ]] && qrf_as_pg "$PG_BIN/pg_ctl" status -D "$1" >/dev/null 2>&1
}

# qrf_pg_initdb HOME USER PASSWORD [INITDB ARGS…]: makes HOME/data once, its
# superuser USER with PASSWORD, and a postgresql.conf that includes
# qrfeedback.conf (which the caller rewrites on every start). initdb runs
# into a scratch folder that is renamed, so an interrupted initdb never
# leaves a half-made data folder behind.
qrf_pg_initdb() {
    local home="$1" user="$2" password="$3"
    shift 3
    [[ -f "$home/data/PG_VERSION" ]] && return 0
    local scratch="$home/data.init" pwfile="$home/.initdb-password"
    rm -rf "$scratch"
    printf '%s\n' "$password" >"$pwfile"
    ((EUID == 0)) && chown postgres:postgres "$pwfile"
    chmod 0600 "$pwfile"
    if ! qrf_as_pg "$PG_BIN/initdb" -D "$scratch" -U "$user" --pwfile="$pwfile" \
        --encoding=UTF8 --locale=C.UTF-8 "$@" >"$home/initdb.log" 2>&1; then
        rm -f "$pwfile"
        cat "$home/initdb.log" >&2
        qrf_die "initdb failed in $home"
    fi
    rm -f "$pwfile"
    echo "include_if_exists = 'qrfeedback.conf'" >>"$scratch/postgresql.conf"
    mv "$scratch" "$home/data"
}

# qrf_pg_start HOME WHAT: starts the server of HOME/data, logging to
# HOME/postgres.log, and waits until it takes connections; on failure shows
# the log's end and stops with "WHAT did not start".
qrf_pg_start() {
    local home="$1" what="$2"
    if ! qrf_detached qrf_as_pg "$PG_BIN/pg_ctl" start -s -w -t "$READY_TIMEOUT_S" \
        -D "$home/data" -l "$home/postgres.log" </dev/null >/dev/null; then
        tail -n 20 "$home/postgres.log" >&2 || true
        qrf_die "$what did not start (log: $home/postgres.log)"
    fi
}

# qrf_pg_stop DATA: stops the server of the data folder DATA, if it runs.
qrf_pg_stop() {
    if qrf_pg_running "$1"; then
        qrf_as_pg "$PG_BIN/pg_ctl" stop -s -m fast -w -t "$READY_TIMEOUT_S" -D "$1"
    fi
}
