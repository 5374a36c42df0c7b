#!/usr/bin/env bash
# Load test on this machine, loopback only, about two minutes plus the build:
#
#   1. ceiling: pgbench, one durable single-row INSERT per transaction into a
#      table shaped like ratings, on the same Postgres;
#   2. ratings: wrk POSTs /api/v1/ratings against `qrfeedback serve`, then
#      checks that Postgres holds exactly the acknowledged ratings, in the
#      raw table and in the day aggregates, and tells the CPU time the
#      server, Postgres and Redis spent per rating;
#   3. rating page: wrk GETs /r/{code}, then the same against
#      examples/bare_static serving a static page of the same size.
#
# It prints the figures and a summary, stops the servers it started, and
# leaves Postgres and Redis running. Raw outputs are in .local/load/.
# Exits non-zero if a step fails or the counts do not match.
#
# BALANCER=1 runs steps 2 and 3 through haproxy in front of two instances
# (deploy/balancer.sh, state in .local/load/balancer/) instead of against one
# instance; the CPU time then counts both instances, and haproxy's apart.
#
# CITUS=1 runs the ratings and the rating page on the Citus cluster of
# deploy/citus.sh (a coordinator and two workers on this machine), its
# database migrated and distributed with `qrfeedback distribute`; the
# ceiling then inserts into a table distributed the same way.
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$QRF_ROOT"

SERVE_ADDR=127.0.0.1:18080
BARE_ADDR=127.0.0.1:18081
BASE_URL="http://$SERVE_ADDR"
BALANCER="${BALANCER:-0}"
[[ "$BALANCER" =~ ^[01]$ ]] || { echo "BALANCER must be 0 or 1" >&2; exit 2; }
CITUS="${CITUS:-0}"
[[ "$CITUS" =~ ^[01]$ ]] || { echo "CITUS must be 0 or 1" >&2; exit 2; }
# Where cargo puts the binaries (it honours CARGO_TARGET_DIR).
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
LOAD_DB=qrf_load
VENUES="${VENUES:-200}"
[[ "$VENUES" =~ ^[1-9][0-9]{0,4}$ ]] || { echo "VENUES must be 1-99999" >&2; exit 2; }
REGIONS=(652801 652822 652823 652301)
CATEGORIES=(hotel restaurant scenic_area shop)
THREADS=2
# pgbench clients for the ceiling, and wrk connections for the rating page.
CLIENTS=32
# Ratings in flight at once, one wrk connection each. Group commits need
# ratings in flight: with 32 the run is bound by each rating's round trip,
# not by capacity (see README, Performance). Override, e.g. RATING_CLIENTS=32.
RATING_CLIENTS="${RATING_CLIENTS:-128}"
[[ "$RATING_CLIENTS" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "RATING_CLIENTS must be 1-9999" >&2; exit 2; }
PGBENCH_SECONDS=15
RATINGS_SECONDS=20
# Ratings stop this long before wrk does, so none is in flight at its end.
RATINGS_IDLE_TAIL_SECONDS=1
PAGE_SECONDS=15
WORK="$QRF_ROOT/.local/load"

export ADMIN_TOKEN="${ADMIN_TOKEN:-load-$(qrf_random_hex 18)}"
export SECRET_KEY="${SECRET_KEY:-$(qrf_random_hex 32)}"

# With BALANCER=1: the balancer's instances and haproxy, and its state folder.
export QRF_BALANCER_DIR="$WORK/balancer" QRF_BIN="$TARGET_DIR/release/qrfeedback"
balancer_started=0
stop_all() {
    stop_servers
    if ((balancer_started)); then
        deploy/balancer.sh stop
        balancer_started=0
    fi
}
trap stop_all EXIT

qrf_ensure_packages wrk:wrk curl:curl jq:jq "$PG_BIN/pgbench:postgresql-15"
mkdir -p "$WORK"
started_at=$SECONDS

step "build (release)"
SQLX_OFFLINE=true cargo build --release --locked --examples --bins

if ((BALANCER)); then
    step "services, fresh database $LOAD_DB, two servers behind haproxy (deploy/balancer.sh)"
else
    step "services, fresh database $LOAD_DB, server on $SERVE_ADDR"
fi
deploy/services.sh start
eval "$(deploy/services.sh env)"
if ((CITUS)); then
    deploy/citus.sh start
    eval "$(deploy/citus.sh env)"
    deploy/citus.sh createdb "$LOAD_DB"
    server_url="${DATABASE_URL%/*}"
else
    server_url="${DATABASE_URL%/*}"
    psql_at "$server_url/postgres" -c "drop database if exists $LOAD_DB with (force)" \
        -c "create database $LOAD_DB"
fi
LOAD_URL="$server_url/$LOAD_DB"
export DATABASE_URL="$LOAD_URL"
"$TARGET_DIR/release/qrfeedback" migrate >"$WORK/migrate.log" 2>&1 ||
    { cat "$WORK/migrate.log" >&2; qrf_die "migrate failed"; }
"$TARGET_DIR/release/qrfeedback" distribute >>"$WORK/migrate.log" 2>&1 ||
    { cat "$WORK/migrate.log" >&2; qrf_die "distribute failed"; }

if ((BALANCER)); then
    balancer_started=1
    RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn deploy/balancer.sh start
    eval "$(deploy/balancer.sh env)"
    BASE_URL="$QRF_BALANCER_URL"
    serve_pids=("$(cat "$QRF_BALANCER_DIR/a.pid")" "$(cat "$QRF_BALANCER_DIR/b.pid")")
    proxy_pids=("$(cat "$QRF_BALANCER_DIR/haproxy.pid")")
else
    require_port_free "$SERVE_ADDR"
    RATE_LIMIT_PER_MINUTE=0 BIND_ADDR="$SERVE_ADDR" PUBLIC_BASE_URL="$BASE_URL" RUST_LOG=warn \
        "$TARGET_DIR/release/qrfeedback" serve >"$WORK/serve.log" 2>&1 &
    server_pids+=("$!")
    serve_pids=("$!")
    proxy_pids=()
    wait_http_ok "$BASE_URL/readyz" "$!" "$WORK/serve.log"
fi

step "create $VENUES venues"
codes_file="$WORK/codes.txt"
: >"$codes_file"
for ((i = 1; i <= VENUES; i++)); do
    region="${REGIONS[i % ${#REGIONS[@]}]}"
    category="${CATEGORIES[i / ${#REGIONS[@]} % ${#CATEGORIES[@]}]}"
    answer="$(curl -sS --max-time 10 -w '\n%{http_code}' -X POST "$BASE_URL/api/v1/venues" \
        -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
        --data "{\"name\":\"Load venue $i\",\"region_code\":\"$region\",\"category\":\"$category\"}")"
    status="${answer##*$'\n'}"
    body="${answer%$'\n'*}"
    [[ "$status" == 201 ]] || qrf_die "POST /api/v1/venues answered $status: $body"
    jq -er '.code' <<<"$body" >>"$codes_file"
done
echo "$(wc -l <"$codes_file") venue codes in $codes_file"

step "ceiling: pgbench, $CLIENTS clients, single-row INSERT, ${PGBENCH_SECONDS}s"
psql_at "$LOAD_URL" <<'SQL'
drop table if exists bench_ratings;
create table bench_ratings (
    venue_id bigint,
    id bigint generated always as identity,
    day date,
    created_at timestamptz default now(),
    device_hash bytea,
    overall smallint,
    environment smallint,
    skill smallint,
    attitude smallint,
    tags text[],
    comment text,
    primary key (venue_id, id),
    unique (venue_id, day, device_hash)
);
SQL
if ((CITUS)); then
    psql_at "$LOAD_URL" -c "select create_distributed_table('bench_ratings', 'venue_id')" >/dev/null
fi
"$PG_BIN/pgbench" -n -M prepared -c "$CLIENTS" -j "$THREADS" -T "$PGBENCH_SECONDS" \
    -f deploy/load/bench_insert.sql "$LOAD_URL" | tee "$WORK/pgbench.txt"
ceiling_tps="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$WORK/pgbench.txt")"
[[ -n "$ceiling_tps" ]] || qrf_die "no tps in pgbench output"

step "ratings: wrk POST /api/v1/ratings, $RATING_CLIENTS connections, ${RATINGS_SECONDS}s"
# Where the CPU goes during the ratings run: the server(s), Postgres, Redis
# (and haproxy).
redis_pids="$(pgrep -f redis-server || true)"
serve_ticks=$(cpu_ticks "${serve_pids[@]}")
proxy_ticks=$(cpu_ticks "${proxy_pids[@]}")
# shellcheck disable=SC2046 # one pid per word
pg_ticks=$(cpu_ticks $(postgres_pids))
# shellcheck disable=SC2086
redis_ticks=$(cpu_ticks $redis_pids)
run_wrk "$WORK/ratings.txt" -t"$THREADS" -c"$RATING_CLIENTS" -d"${RATINGS_SECONDS}s" --latency \
    -s deploy/load/ratings.lua "$BASE_URL" \
    -- "$codes_file" "$((RATINGS_SECONDS - RATINGS_IDLE_TAIL_SECONDS))" "$(date +%s)-$$"
serve_ticks=$(($(cpu_ticks "${serve_pids[@]}") - serve_ticks))
proxy_ticks=$(($(cpu_ticks "${proxy_pids[@]}") - proxy_ticks))
# shellcheck disable=SC2046
pg_ticks=$(($(cpu_ticks $(postgres_pids)) - pg_ticks))
# shellcheck disable=SC2086
redis_ticks=$(($(cpu_ticks $redis_pids) - redis_ticks))
ratings_rps="$(qrf_field rps "$WORK/ratings.txt")"
[[ -n "$ratings_rps" ]] || qrf_die "no summary from deploy/load/ratings.lua"
acknowledged="$(qrf_field acknowledged "$WORK/ratings.txt")"
unanswered="$(qrf_field unanswered "$WORK/ratings.txt")"
rating_errors=$(($(qrf_field other "$WORK/ratings.txt") + $(qrf_field socket_errors "$WORK/ratings.txt")))
other_statuses="$(qrf_field other_statuses "$WORK/ratings.txt")"

step "correctness: Postgres holds exactly the acknowledged ratings"
counts="$(psql_at "$LOAD_URL" -tA -F ' ' -c \
    "select (select count(*) from ratings), (select coalesce(sum(ratings_count), 0) from venue_day_stats)")"
read -r counted day_stats <<<"$counts"
if [[ "$counted" == "$acknowledged" && "$day_stats" == "$acknowledged" ]]; then
    verdict=OK
else
    verdict=MISMATCH
fi
echo "acknowledged $acknowledged, ratings rows $counted, sum of venue_day_stats.ratings_count $day_stats: $verdict" \
    "($unanswered ratings were unanswered when wrk stopped)"

step "rating page: wrk GET /r/{code}, ${PAGE_SECONDS}s"
page_path="/r/$(head -n 1 "$codes_file")"
read -r page_status page_bytes < <(curl -s -o /dev/null --max-time 10 \
    -w '%{http_code} %{size_download}\n' "$BASE_URL$page_path")
[[ "$page_status" == 200 ]] || qrf_die "GET $page_path answered $page_status"
echo "GET $page_path: 200, $page_bytes bytes"
run_wrk "$WORK/page.txt" -t"$THREADS" -c"$CLIENTS" -d"${PAGE_SECONDS}s" --latency \
    -s deploy/load/report.lua "$BASE_URL$page_path"

step "bare static page of $page_bytes bytes (examples/bare_static), ${PAGE_SECONDS}s"
# The yardstick gets the machine to itself, as the page had (less the
# qrfeedback background jobs, which are part of the real page's cost).
stop_all
require_port_free "$BARE_ADDR"
"$TARGET_DIR/release/examples/bare_static" --bytes "$page_bytes" --bind "$BARE_ADDR" >"$WORK/bare_static.log" 2>&1 &
server_pids+=("$!")
wait_http_ok "http://$BARE_ADDR$page_path" "$!" "$WORK/bare_static.log"
run_wrk "$WORK/bare.txt" -t"$THREADS" -c"$CLIENTS" -d"${PAGE_SECONDS}s" --latency \
    -s deploy/load/report.lua "http://$BARE_ADDR$page_path"
stop_servers

page_rps="$(qrf_field rps "$WORK/page.txt")"
bare_rps="$(qrf_field rps "$WORK/bare.txt")"
page_errors=$(($(qrf_field http_errors "$WORK/page.txt") + $(qrf_field socket_errors "$WORK/page.txt")))

step "summary ($((SECONDS - started_at)) s; raw output in ${WORK#"$QRF_ROOT"/})"
awk -v tps="$ceiling_tps" -v clients="$CLIENTS" -v rating_clients="$RATING_CLIENTS" \
    -v rps="$ratings_rps" -v p50="$(qrf_field p50_ms "$WORK/ratings.txt")" -v p99="$(qrf_field p99_ms "$WORK/ratings.txt")" \
    -v errors="$rating_errors" -v other="$other_statuses" -v ack="$acknowledged" -v counted="$counted" \
    -v day_stats="$day_stats" -v verdict="$verdict" -v hz="$(getconf CLK_TCK)" \
    -v serve_ticks="$serve_ticks" -v proxy_ticks="$proxy_ticks" -v balanced="$BALANCER" -v pg_ticks="$pg_ticks" -v redis_ticks="$redis_ticks" \
    -v page_rps="$page_rps" -v page_p50="$(qrf_field p50_ms "$WORK/page.txt")" \
    -v page_p99="$(qrf_field p99_ms "$WORK/page.txt")" -v page_errors="$page_errors" -v bare_rps="$bare_rps" '
BEGIN {
    printf "ceiling (pgbench %d clients, single-row insert): %.0f tps\n", clients, tps
    if (balanced)
        printf "through haproxy, two instances\n"
    printf "ratings (%d connections): %.0f req/s (%.1f%% of ceiling), p50 %.1f ms, p99 %.1f ms, errors %d%s, acknowledged %d, counted %d (day stats %d) %s\n",
        rating_clients, rps, 100 * rps / tps, p50, p99, errors, (errors > 0 ? " (statuses " other ")" : ""), ack, counted, day_stats, verdict
    if (ack > 0 && balanced)
        printf "CPU per acknowledged rating: both servers %.0f us, haproxy %.0f us, Postgres %.0f us, Redis %.0f us\n",
            serve_ticks * 1e6 / hz / ack, proxy_ticks * 1e6 / hz / ack, pg_ticks * 1e6 / hz / ack, redis_ticks * 1e6 / hz / ack
    else if (ack > 0)
        printf "CPU per acknowledged rating: server %.0f us, Postgres %.0f us, Redis %.0f us\n",
            serve_ticks * 1e6 / hz / ack, pg_ticks * 1e6 / hz / ack, redis_ticks * 1e6 / hz / ack
    printf "rating page: %.0f req/s, p50 %.1f ms, p99 %.1f ms%s; bare static page: %.0f req/s; ratio %.1f%%\n",
        page_rps, page_p50, page_p99, (page_errors > 0 ? ", errors " page_errors : ""), bare_rps, 100 * page_rps / bare_rps
}'

[[ "$verdict" == OK ]] || qrf_die "Postgres does not hold exactly the acknowledged ratings"
