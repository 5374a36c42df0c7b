#!/usr/bin/env bash
# Two `qrfeedback serve` instances behind haproxy, on loopback only, with
# their logs, pid files, the haproxy config and the shared secrets under
# .local/balancer/ (git-ignored). It builds nothing: it runs a binary you built.
#
#   deploy/balancer.sh start    install haproxy if missing, start both instances and haproxy, wait until ready
#   deploy/balancer.sh stop     stop haproxy, then the instances (SIGTERM: they drain in-flight ratings)
#   deploy/balancer.sh status   say what runs; exit 0 only if all three do
#   deploy/balancer.sh env      print `export QRF_BALANCER_URL=… QRF_INSTANCE_URLS=… ADMIN_TOKEN=…` for eval
#
# The binary: QRF_BIN, default target/release/qrfeedback (under CARGO_TARGET_DIR
# when that is set); `cargo build --release` makes it, or point QRF_BIN at
# target/debug/qrfeedback.
#
# Both instances get the same environment: DATABASE_URL and REDIS_URL as the
# caller has them (default: the app role and Redis of deploy/services.sh),
# and the same ADMIN_TOKEN and SECRET_KEY (the caller's, else random ones
# made on the first start and kept in the state folder). That is all they
# share and all they need to: sessions and sign-in forms live in Redis, form
# tokens are signed with SECRET_KEY, idempotency keys and ratings are in
# Postgres, so any instance answers any request. Everything else the caller
# exports (RATE_LIMIT_PER_MINUTE, REDIS_KEY_PREFIX, RUST_LOG, …) reaches both.
# TRUSTED_PROXIES defaults to 127.0.0.1/32, the address haproxy connects
# from, so the client address is the one haproxy adds to X-Forwarded-For;
# PUBLIC_BASE_URL defaults to the balancer's URL; UPLOAD_DIR (inspection
# photos) defaults to one folder in the state folder, which both read.
#
# haproxy sends requests round robin to the instances that pass a check of
# /readyz (Postgres reachable, schema current) every half second. An
# instance that refuses a connection is marked down at once and the request
# goes to the other one; a request the instance already took is never sent
# twice (a rating is not idempotent without its key), so a crash answers
# the requests it held with 502 and nothing else.
#
# Ports (below the kernel's ephemeral range): QRF_BALANCER_PORT (default
# 18090) for haproxy, the instances on the next two (QRF_INSTANCE_PORTS,
# e.g. "18091 18092", to choose). The state folder: QRF_BALANCER_DIR.
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BALANCER_PORT="${QRF_BALANCER_PORT:-18090}"
read -r -a INSTANCE_PORTS <<<"${QRF_INSTANCE_PORTS:-$((BALANCER_PORT + 1)) $((BALANCER_PORT + 2))}"
INSTANCES=(a b)
STATE="${QRF_BALANCER_DIR:-$QRF_ROOT/.local/balancer}"
QRF_BIN="${QRF_BIN:-${CARGO_TARGET_DIR:-$QRF_ROOT/target}/release/qrfeedback}"
BALANCER_URL="http://127.0.0.1:$BALANCER_PORT"
# How long `stop` waits for an instance to drain before it gives up.
STOP_TIMEOUT_S=35

usage() {
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
}

check_ports() {
    local port
    ((${#INSTANCE_PORTS[@]} == 2)) || qrf_die "QRF_INSTANCE_PORTS names two ports"
    for port in "$BALANCER_PORT" "${INSTANCE_PORTS[@]}"; do
        if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((port == 0 || port > 65535)); then
            qrf_die "$port is not a port"
        fi
    done
}

# pid_of NAME: the pid in STATE/NAME.pid if that process still runs the
# program it was started as (a pid file outlives a reboot or a crash).
pid_of() {
    local pid program
    pid="$(cat "$STATE/$1.pid" 2>/dev/null)" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    program="$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)" || return 1
    case "$1" in
    haproxy) [[ "$program" == *haproxy* ]] ;;
    *) [[ "$program" == *qrfeedback*serve* ]] ;;
    esac && printf '%s' "$pid"
}

# The shared secrets: the caller's, else the ones of an earlier start, else new.
load_secrets() {
    local saved="$STATE/secrets.env"
    if [[ -z "${ADMIN_TOKEN:-}" || -z "${SECRET_KEY:-}" ]] && [[ -f "$saved" ]]; then
        # shellcheck source=/dev/null
        source "$saved"
    fi
    export ADMIN_TOKEN="${ADMIN_TOKEN:-balancer-$(qrf_random_hex 18)}"
    export SECRET_KEY="${SECRET_KEY:-$(qrf_random_hex 32)}"
    (
        umask 077
        printf 'ADMIN_TOKEN=%q\nSECRET_KEY=%q\n' "$ADMIN_TOKEN" "$SECRET_KEY" >"$saved"
    )
}

write_haproxy_config() {
    cat >"$STATE/haproxy.cfg" <<EOF
# Written by deploy/balancer.sh on every start: edit that script, not this file.
global
    maxconn 4096
    # Server state changes and failed or retried requests, not every request.
    log stdout format raw local0 notice

defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    timeout connect 1s
    timeout client 30s
    # Longer than a rating may wait for Postgres before the app answers 503.
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 10s
    # A connection refused or reset before the request was sent is tried
    # again (3 times) and, from the second try, on the other instance. A
    # request an instance took is not retried: only conn-failure counts.
    retries 3
    option redispatch 1
    retry-on conn-failure

frontend qrfeedback
    bind 127.0.0.1:$BALANCER_PORT
    # The app reads the client from the last entry, added here (TRUSTED_PROXIES).
    option forwardfor
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    # With both instances down, the same 503 problem the app answers when
    # Postgres is away, Retry-After included.
    http-error status 503 content-type application/problem+json hdr Retry-After 5 string '{"type":"/problems/unavailable","title":"Service unavailable","status":503}'
    # Checked every 0.5 s; two failures (or one refused connection seen in
    # live traffic) take an instance out, two passes put it back.
    default-server inter 500ms fastinter 250ms downinter 1s rise 2 fall 2 observe layer4 error-limit 1 on-error mark-down
    server a 127.0.0.1:${INSTANCE_PORTS[0]} check
    server b 127.0.0.1:${INSTANCE_PORTS[1]} check
EOF
}

# spawn NAME COMMAND...: runs COMMAND in the background as NAME, logging to
# STATE/NAME.log, its pid in STATE/NAME.pid. It keeps only stdin, stdout and
# stderr, so it holds no pipe or lock of whoever started this script.
spawn() {
    local name="$1"
    shift
    (
        for fd in /proc/self/fd/*; do
            fd="${fd##*/}"
            if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec "$@"
    ) </dev/null >"$STATE/$name.log" 2>&1 &
    echo "$!" >"$STATE/$name.pid"
}

start_instance() {
    local name="$1" port="$2"
    pid_of "$name" >/dev/null && return 0
    require_port_free "127.0.0.1:$port"
    spawn "$name" env BIND_ADDR="127.0.0.1:$port" "$QRF_BIN" serve
}

cmd_start() {
    check_ports
    [[ -x "$QRF_BIN" ]] || qrf_die "no binary at $QRF_BIN (cargo build --release, or set QRF_BIN)"
    qrf_ensure_packages haproxy:haproxy curl:curl
    mkdir -p "$STATE"
    chmod 0700 "$STATE"
    if [[ -z "${DATABASE_URL:-}" || -z "${REDIS_URL:-}" ]]; then
        local services
        services="$("$QRF_ROOT/deploy/services.sh" env)"
        DATABASE_URL="${DATABASE_URL:-$(sed -n 's/^export APP_DATABASE_URL=//p' <<<"$services")}"
        REDIS_URL="${REDIS_URL:-$(sed -n 's/^export REDIS_URL=//p' <<<"$services")}"
    fi
    export DATABASE_URL REDIS_URL
    export TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1/32}"
    export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-$BALANCER_URL}"
    export UPLOAD_DIR="${UPLOAD_DIR:-$STATE/uploads}"
    load_secrets

    cd "$QRF_ROOT"
    local i
    for i in 0 1; do
        start_instance "${INSTANCES[i]}" "${INSTANCE_PORTS[i]}"
    done
    for i in 0 1; do
        wait_http_ok "http://127.0.0.1:${INSTANCE_PORTS[i]}/readyz" \
            "$(cat "$STATE/${INSTANCES[i]}.pid")" "$STATE/${INSTANCES[i]}.log"
    done

    if ! pid_of haproxy >/dev/null; then
        require_port_free "127.0.0.1:$BALANCER_PORT"
        write_haproxy_config
        haproxy -c -q -f "$STATE/haproxy.cfg" || qrf_die "haproxy refused $STATE/haproxy.cfg"
        # -db: stay in the foreground, so the pid is haproxy's own.
        spawn haproxy haproxy -db -f "$STATE/haproxy.cfg"
    fi
    wait_http_ok "$BALANCER_URL/readyz" "$(cat "$STATE/haproxy.pid")" "$STATE/haproxy.log"
    qrf_say "haproxy $BALANCER_URL in front of 127.0.0.1:${INSTANCE_PORTS[0]} and 127.0.0.1:${INSTANCE_PORTS[1]} ready"
}

# stop_one NAME SIGNAL: signals NAME's process and waits until it is gone.
stop_one() {
    local pid
    pid="$(pid_of "$1")" || { rm -f "$STATE/$1.pid"; return 0; }
    kill "-$2" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT_S))
    while kill -0 "$pid" 2>/dev/null; do
        ((SECONDS < deadline)) || qrf_die "$1 (pid $pid) did not stop within $STOP_TIMEOUT_S s"
        sleep 0.1
    done
    rm -f "$STATE/$1.pid"
}

cmd_stop() {
    [[ -d "$STATE" ]] || return 0
    stop_one haproxy TERM
    local name
    for name in "${INSTANCES[@]}"; do
        stop_one "$name" TERM
    done
}

cmd_status() {
    check_ports
    local rc=0 pid i
    for i in 0 1; do
        if pid="$(pid_of "${INSTANCES[i]}")"; then
            echo "instance ${INSTANCES[i]}: running on 127.0.0.1:${INSTANCE_PORTS[i]} (pid $pid)"
        else
            echo "instance ${INSTANCES[i]}: stopped"
            rc=3
        fi
    done
    if pid="$(pid_of haproxy)"; then
        echo "haproxy: running on 127.0.0.1:$BALANCER_PORT (pid $pid)"
    else
        echo "haproxy: stopped"
        rc=3
    fi
    return "$rc"
}

cmd_env() {
    check_ports
    echo "export QRF_BALANCER_URL=$BALANCER_URL"
    echo "export QRF_INSTANCE_URLS=http://127.0.0.1:${INSTANCE_PORTS[0]},http://127.0.0.1:${INSTANCE_PORTS[1]}"
    if [[ -f "$STATE/secrets.env" ]]; then
        grep '^ADMIN_TOKEN=' "$STATE/secrets.env" | sed 's/^/export /'
    fi
}

(($# == 1)) || usage
case "$1" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*) usage ;;
esac
